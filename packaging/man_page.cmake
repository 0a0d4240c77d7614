# Makes one man page with help2man from a program's (or a subcommand's) own --help:
#   cmake -DHELP2MAN=... -DPROGRAM=path [-DSUBCOMMAND=login] -DPAGE_NAME=inspekt-auth-login
#         -DSUMMARY="..." -DVERSION=0.1.0 -DSEE_ALSO="inspekt-auth-login(1), ..."
#         -DOUTPUT=.../inspekt-auth-login.1 -P man_page.cmake
# What help2man cannot do by itself is added through its include file:
# - a subcommand has no --help of its own as a program: a wrapper named PAGE_NAME runs
#   PROGRAM SUBCOMMAND (git's way: inspekt-auth-login(1) for "inspekt-auth login");
# - an "Examples:" block keeps its lines as written (.nf), instead of being read as a
#   list of options (a comment after two spaces became a description, a continued line
#   a paragraph of its own);
# - SEE ALSO names the other pages and where the docs/ files --help names are installed.
cmake_minimum_required(VERSION 3.16)
foreach(required HELP2MAN PROGRAM PAGE_NAME SUMMARY VERSION OUTPUT)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "man_page.cmake: -D${required}=... is required")
  endif()
endforeach()

get_filename_component(work "${OUTPUT}" DIRECTORY)
set(work "${work}/${PAGE_NAME}.work")
file(MAKE_DIRECTORY "${work}")
set(runner "${work}/${PAGE_NAME}")
file(WRITE "${runner}" "#!/bin/sh\nexec '${PROGRAM}' ${SUBCOMMAND} \"$@\"\n")
file(CHMOD "${runner}" PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
     GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

execute_process(COMMAND "${runner}" --help OUTPUT_VARIABLE help RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "man_page.cmake: ${PAGE_NAME} --help exited ${status}")
endif()

# roff: a backslash is \e, a hyphen in a flag \- (so that it is searchable and copyable),
# a line starting with . or ' would be a request.
function(roff_escape text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(include_text "")
string(FIND "${help}" "\nExamples:\n" examples_at)
if(NOT examples_at EQUAL -1)
  math(EXPR examples_at "${examples_at} + 11")
  string(SUBSTRING "${help}" ${examples_at} -1 examples)
  # help2man puts what follows the examples (the exit codes) in the same section, which
  # this one replaces: it is kept, as written too.
  string(FIND "${examples}" "\n\n" end)
  set(rest "")
  if(NOT end EQUAL -1)
    math(EXPR rest_at "${end} + 2")
    string(SUBSTRING "${examples}" ${rest_at} -1 rest)
    string(SUBSTRING "${examples}" 0 ${end} examples)
  endif()
  roff_escape("${examples}" examples)
  string(APPEND include_text "[=EXAMPLES]\n.nf\n${examples}\n.fi\n")
  string(STRIP "${rest}" rest)
  if(rest MATCHES "^([^\n]+):\n(.*)$")
    roff_escape("${CMAKE_MATCH_1}" title)
    roff_escape("${CMAKE_MATCH_2}" body)
    string(APPEND include_text ".SS \"${title}:\"\n.nf\n${body}\n.fi\n")
  elseif(rest)
    roff_escape("${rest}" rest)
    string(APPEND include_text ".PP\n.nf\n${rest}\n.fi\n")
  endif()
  string(APPEND include_text "\n")
endif()

set(see_also "")
if(SEE_ALSO)
  string(APPEND see_also "${SEE_ALSO}\n.PP\n")
endif()
string(APPEND see_also
       "The files under docs/ named here are installed with the programs, in share/doc/inspekt/docs/ "
       "under the installation prefix (/usr/share/doc/inspekt/docs/ from the Debian package), "
       "beside the README.md; the fixture set named fixtures/default is in "
       "share/inspekt/fixtures/default/.\n")
string(APPEND include_text "[SEE ALSO]\n${see_also}")
file(WRITE "${work}/include.h2m" "${include_text}")

execute_process(
  COMMAND "${HELP2MAN}" --no-info --no-discard-stderr --section 1 --name "${SUMMARY}"
          --version-string "${VERSION}" --include "${work}/include.h2m" --output "${OUTPUT}"
          "${runner}"
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "man_page.cmake: help2man failed for ${PAGE_NAME}")
endif()
