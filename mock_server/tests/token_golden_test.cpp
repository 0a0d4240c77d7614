// Byte-identical tokens, session ids and jtis under a seed: users keep snapshots of a
// mock started with --seed and --now, so any change to how they are made (a faster
// MAC, fewer copies) must give exactly these bytes. The strings were captured before
// the token path was reworked for speed; they are not to be re-captured.

#include "inspekt/core/jwt.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"
#include "inspekt/mock/handler/auth_handler.hpp"
#include "inspekt/mock/tokens/entropy.hpp"
#include "inspekt/mock/tokens/session_id.hpp"
#include "inspekt/mock/tokens/token_issuer.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>

using namespace inspekt::mock;
using inspekt::JwtAlgorithm;

namespace {

// INSPEKT_GOLDEN_PRINT=FILE appends what is made to FILE, to write the expectations once.
const char *print_file() {
  return std::getenv("INSPEKT_GOLDEN_PRINT");
}

// Printed by the code of commit 2ec9d07 (before the token path was reworked).
const std::map<std::string, std::string> golden = {
    {"entropy.next", "13915952638675311015"},
    {"entropy.digits", "086189810"},
    {"entropy.hex", "e1fe89d1b69c4f1cf07ab"},
    {"entropy.uuid.0", "4d5c69f5-2f67-4894-8a18-16fcea8ce361"},
    {"entropy.uuid.1", "4b2409f4-dda8-44ce-9a5d-3917557606d2"},
    {"entropy.uuid.2", "84d10b2c-7e50-4ff6-98eb-907ab4742752"},
    {"entropy.hex.empty", ""},
    {"entropy.next.after", "2462627470528674259"},
    {"session.in{digits:4}{timestamp}",
     "in155420251124160000\nin086020251124160001\nin702020251124160002\n"},
    {"session.{uuid}", "6dc1614e-1fe8-4d1b-a9c4-f1cf07ab4d5c\n9f52f67b-8947-4181-8fce-"
                       "a8ce36144b24\n9f4dda8c-4cea-45d3-8175-57606d2d84d1\n"},
    {"session.s-{hex:20}-{digits:30}",
     "s-6dc1614e1fe89d1b69c4-518985692570431785099472547894\ns-fcea8ce36144b2409f4d-"
     "342486004991973533802903887567\ns-2c7e50dff688eb907ab4-562130792715636461578536292945\n"},
    {"session.x{hex:3}{uuid}", "xa4a6dc1614e-1fe8-4d1b-a9c4-f1cf07ab4d5c\nx8ef9f52f67b-8947-4181-"
                               "8fce-a8ce36144b24\nx7919f4dda8c-4cea-45d3-8175-57606d2d84d1\n"},
    {"hs256.0.access", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                       "eyJleHAiOjE3NjQwMDA5MDAsImlhdCI6MTc2NDAwMDAwMCwiaXNzIjoiaHR0cHM6Ly9pc3N1ZXI"
                       "uZXhhbXBsZSIsImp0aSI6IjcyZTZkYzE2LTE0ZTEtNGU4OS05MWI2LTljNGYxY2YwN2FiNCIsIn"
                       "Njb3BlIjoiaW5zcGVjdCIsInNpZCI6ImluMTIzNDAiLCJzdWIiOiJiZW5jaCIsInRva2VuX3R5c"
                       "GUiOiJhY2Nlc3MifQ.pzLJFoejP1y8RxOOLIGOQxVZbGVsl1O12_81kVxrdXk"},
    {"hs256.0.refresh",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDAsImlhdCI6MTc2NDAwMDAwMCwiaXNzIjoiaHR0cHM6Ly9pc3N1ZXIuZXhhbXBsZSIsImp0a"
     "SI6IjVjNjlmNTJmLTY3YjgtNDQ3YS1iODE2LWZjZWE4Y2UzNjE0NCIsInNpZCI6ImluMTIzNDAiLCJzdWIiOiJiZW5jaC"
     "IsInRva2VuX3R5cGUiOiJyZWZyZXNoIn0.aQc9dZ_rC4WaiHSrKYImvqLeuMNyZKniEyJ90kMty7k"},
    {"hs256.1.access",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDAwMDYsImlhdCI6MTc2NDAwMDAwMSwiaXNzIjoiaHR0cHM6Ly9pc3N1ZXIuZXhhbXBsZSIsImp0a"
     "SI6IjI0MDlmNGRkLWE4YzQtNGVhYS04ZDM5LTE3NTU3NjA2ZDJkOCIsInNjb3BlIjoiaW5zcGVjdCIsInNpZCI6ImluMT"
     "IzNDEiLCJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.nvD8E_VaC-rkzwA-NGANUqmaT-gpWtMn2ltdnueR3Ww"},
    {"hs256.1.refresh",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDAwMDYsImlhdCI6MTc2NDAwMDAwMSwiaXNzIjoiaHR0cHM6Ly9pc3N1ZXIuZXhhbXBsZSIsImp0a"
     "SI6ImQxMGIyYzdlLTUwZGYtNDY4OC04YjkwLTdhYjQ3NDI3NTIxMyIsInNpZCI6ImluMTIzNDEiLCJ0b2tlbl90eXBlIj"
     "oicmVmcmVzaCJ9.OFpUEEcN7BcYD_KN2p_H1wowm89Sj07AU3tP25Z4Zpw"},
    {"hs256.2.access", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                       "eyJleHAiOjE3NjQwMDA5MDIsImlhdCI6MTc2NDAwMDAwMiwiaXNzIjoiaHR0cHM6Ly9pc3N1ZXI"
                       "uZXhhbXBsZSIsImp0aSI6ImI1ZDZmMjZjLWQxMTYtNGZhYS05Y2IyLTczMWI0YWY3Y2E3OCIsIn"
                       "Njb3BlIjoiaW5zcGVjdCIsInNpZCI6ImluMTIzNDIiLCJzdWIiOiJjYWbDqSBcInFcIiIsInRva"
                       "2VuX3R5cGUiOiJhY2Nlc3MifQ.oni3sgW4uPuXQlYUKt7rp9sr_IdHmThBixck9WsKaAY"},
    {"hs256.2.refresh",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDIsImlhdCI6MTc2NDAwMDAwMiwiaXNzIjoiaHR0cHM6Ly9pc3N1ZXIuZXhhbXBsZSIsImp0a"
     "SI6IjAxNWI3YjIwLTcyZjItNGE4MS05MmFlLTVhZjQ0N2RiMjE3NyIsInNpZCI6ImluMTIzNDIiLCJzdWIiOiJjYWbDqS"
     "BcInFcIiIsInRva2VuX3R5cGUiOiJyZWZyZXNoIn0.C2ieA40pRQhCeHcGgug_FJOMWgUUr7H3_yak2J7FVJ8"},
    {"hs256.3.access", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                       "eyJleHAiOjE3NjQwMDA5MDMsImlhdCI6MTc2NDAwMDAwMywiaXNzIjoiaHR0cHM6Ly9pc3N1ZXI"
                       "uZXhhbXBsZSIsImp0aSI6ImM1Yzg2ZWE2LTVjYTUtNGNkMi05MjExLTJkYWYzODdiYThjNiIsIn"
                       "Njb3BlIjoiaW5zcGVjdCIsInNpZCI6ImluMTIzNDMiLCJzdWIiOiJiYWTvv70iLCJ0b2tlbl90e"
                       "XBlIjoiYWNjZXNzIn0.6j0PLapc_ve8MumqVmK8JDtOcuitrGsw-oGpONcO5LY"},
    {"hs256.3.refresh",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDMsImlhdCI6MTc2NDAwMDAwMywiaXNzIjoiaHR0cHM6Ly9pc3N1ZXIuZXhhbXBsZSIsImp0a"
     "SI6ImFhZmY4NWY2LWJjNGItNDQ3Yy05NDk2LWE1ZTlkMDY2MzE3OCIsInNpZCI6ImluMTIzNDMiLCJzdWIiOiJiYWTvv7"
     "0iLCJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.lWC-laW5xCLTAfJZrp-SFNxaSw985T2Qv2jhiMBjrqo"},
    {"hs384.0.access",
     "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDA5MDAsImlhdCI6MTc2NDAwMDAwMCwianRpIjoiNzJlNmRjMTYtMTRlMS00ZTg5LTkxYjYtOWM0Z"
     "jFjZjA3YWI0Iiwic2NvcGUiOiJpbnNwZWN0Iiwic2lkIjoiaW4xMjM0MCIsInN1YiI6ImJlbmNoIiwidG9rZW5fdHlwZS"
     "I6ImFjY2VzcyJ9.Qr7RJy4_UTdWan9gl4dVdapC-K1QUf6SrtlSVW446qW2b5O5S4eGstMKR7wwQieF"},
    {"hs384.0.refresh",
     "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDAsImlhdCI6MTc2NDAwMDAwMCwianRpIjoiNWM2OWY1MmYtNjdiOC00NDdhLWI4MTYtZmNlY"
     "ThjZTM2MTQ0Iiwic2lkIjoiaW4xMjM0MCIsInN1YiI6ImJlbmNoIiwidG9rZW5fdHlwZSI6InJlZnJlc2gifQ.4S9XGM-"
     "q429t1ZNP6XTTr8jHoBrgYPWN4RvW7GgnwtXCqaRvMj-YLDFpxnjJkaQG"},
    {"hs384.1.access",
     "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDAwMDYsImlhdCI6MTc2NDAwMDAwMSwianRpIjoiMjQwOWY0ZGQtYThjNC00ZWFhLThkMzktMTc1N"
     "Tc2MDZkMmQ4Iiwic2NvcGUiOiJpbnNwZWN0Iiwic2lkIjoiaW4xMjM0MSIsInRva2VuX3R5cGUiOiJhY2Nlc3MifQ."
     "F8oidlOsVUVwqOXMvJ89sMTLbXBPQn9QnrU-PperCYiCu6F-lYaYzLlFxEHiGqua"},
    {"hs384.1.refresh",
     "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDAwMDYsImlhdCI6MTc2NDAwMDAwMSwianRpIjoiZDEwYjJjN2UtNTBkZi00Njg4LThiOTAtN2FiN"
     "Dc0Mjc1MjEzIiwic2lkIjoiaW4xMjM0MSIsInRva2VuX3R5cGUiOiJyZWZyZXNoIn0.ZWKWBoroN7nBAU2iwArAlF_"
     "KoagEGnsxhQ3eeXQtm4WdCuTccFJrK3-LeI1_yjJN"},
    {"hs384.2.access",
     "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDA5MDIsImlhdCI6MTc2NDAwMDAwMiwianRpIjoiYjVkNmYyNmMtZDExNi00ZmFhLTljYjItNzMxY"
     "jRhZjdjYTc4Iiwic2NvcGUiOiJpbnNwZWN0Iiwic2lkIjoiaW4xMjM0MiIsInN1YiI6ImNhZsOpIFwicVwiIiwidG9rZW"
     "5fdHlwZSI6ImFjY2VzcyJ9.Enh62eHw105Hq8J701Y1hscWI-VzCaYemkoRo39mdSgUTJKxvhnKb-gWroPWK2pG"},
    {"hs384.2.refresh",
     "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDIsImlhdCI6MTc2NDAwMDAwMiwianRpIjoiMDE1YjdiMjAtNzJmMi00YTgxLTkyYWUtNWFmN"
     "DQ3ZGIyMTc3Iiwic2lkIjoiaW4xMjM0MiIsInN1YiI6ImNhZsOpIFwicVwiIiwidG9rZW5fdHlwZSI6InJlZnJlc2gifQ"
     ".8Qucw1uRAzslR6ySYsOPE8RNQSphwl1sxbYyG5429PpbMiTsy7wXY80u7YI11BPB"},
    {"hs384.3.access", "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9."
                       "eyJleHAiOjE3NjQwMDA5MDMsImlhdCI6MTc2NDAwMDAwMywianRpIjoiYzVjODZlYTYtNWNhNS0"
                       "0Y2QyLTkyMTEtMmRhZjM4N2JhOGM2Iiwic2NvcGUiOiJpbnNwZWN0Iiwic2lkIjoiaW4xMjM0My"
                       "IsInN1YiI6ImJhZO-_vSIsInRva2VuX3R5cGUiOiJhY2Nlc3MifQ."
                       "N6JaZNHNCDgUEH4ycCc1I8Bt1vhBRWgNS_c-_E5tKps6xMoQuiI8lwWRwWSR1lgo"},
    {"hs384.3.refresh",
     "eyJhbGciOiJIUzM4NCIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDMsImlhdCI6MTc2NDAwMDAwMywianRpIjoiYWFmZjg1ZjYtYmM0Yi00NDdjLTk0OTYtYTVlO"
     "WQwNjYzMTc4Iiwic2lkIjoiaW4xMjM0MyIsInN1YiI6ImJhZO-_vSIsInRva2VuX3R5cGUiOiJyZWZyZXNoIn0."
     "CMXQepHBA0Z-xM4jDPyyAGAGGm98ZdW8uNMtBeU1sPlLhdJuPkVjMLbs4aFlg2Nw"},
    {"hs512.0.access",
     "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDA5MDAsImlhdCI6MTc2NDAwMDAwMCwiaXNzIjoiaXNzIiwianRpIjoiNzJlNmRjMTYtMTRlMS00Z"
     "Tg5LTkxYjYtOWM0ZjFjZjA3YWI0Iiwic2NvcGUiOiJpbnNwZWN0Iiwic2lkIjoiaW4xMjM0MCIsInN1YiI6ImJlbmNoIi"
     "widG9rZW5fdHlwZSI6ImFjY2VzcyJ9.hXthy_KHuExpjYg2m8ijXMAnML4xASTDf3xASIRxMWbt60FVKT2ahLbbYcA-"
     "2nISbv_F5q7Nkw0BbGFCfNK64w"},
    {"hs512.0.refresh", "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
                        "eyJleHAiOjE3NjQwODY0MDAsImlhdCI6MTc2NDAwMDAwMCwiaXNzIjoiaXNzIiwianRpIjoiNW"
                        "M2OWY1MmYtNjdiOC00NDdhLWI4MTYtZmNlYThjZTM2MTQ0Iiwic2lkIjoiaW4xMjM0MCIsInN1"
                        "YiI6ImJlbmNoIiwidG9rZW5fdHlwZSI6InJlZnJlc2gifQ.NrpmGNwWnBpiA9-"
                        "mJJU1eSHGqdammWefF3PLIGk0EXamCZuzY5fYuw6kh-iOQgNb9JCL6NVmkVE_5L-tQKNnsQ"},
    {"hs512.1.access",
     "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDAwMDYsImlhdCI6MTc2NDAwMDAwMSwiaXNzIjoiaXNzIiwianRpIjoiMjQwOWY0ZGQtYThjNC00Z"
     "WFhLThkMzktMTc1NTc2MDZkMmQ4Iiwic2NvcGUiOiJpbnNwZWN0Iiwic2lkIjoiaW4xMjM0MSIsInRva2VuX3R5cGUiOi"
     "JhY2Nlc3MifQ.NCZqnOMugXjPIub2bZjfZRm3Zj-QUeue7dk_rkYmRunJ9NAWauel3Z4zg6lRfgtQZd5NkrNIrV-"
     "ERGkIQoiYSg"},
    {"hs512.1.refresh",
     "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDAwMDYsImlhdCI6MTc2NDAwMDAwMSwiaXNzIjoiaXNzIiwianRpIjoiZDEwYjJjN2UtNTBkZi00N"
     "jg4LThiOTAtN2FiNDc0Mjc1MjEzIiwic2lkIjoiaW4xMjM0MSIsInRva2VuX3R5cGUiOiJyZWZyZXNoIn0."
     "UBgA5NimAW9JjDQ8x6I_Fzn5C7681AgH-tkmJdsK43TQiPPwF_RdJJGuzSePNfl4KAXUXMA8VVgvgW6SJAUdIA"},
    {"hs512.2.access",
     "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDA5MDIsImlhdCI6MTc2NDAwMDAwMiwiaXNzIjoiaXNzIiwianRpIjoiYjVkNmYyNmMtZDExNi00Z"
     "mFhLTljYjItNzMxYjRhZjdjYTc4Iiwic2NvcGUiOiJpbnNwZWN0Iiwic2lkIjoiaW4xMjM0MiIsInN1YiI6ImNhZsOpIF"
     "wicVwiIiwidG9rZW5fdHlwZSI6ImFjY2VzcyJ9.-ip7HcCcm3iLI4pXufT8_ZZU--"
     "UkgxBPNlHpkc5gFoOjhnii5AtbzJpH-nxRzaO4xLufAYiRYJgtuH0a_hqAtQ"},
    {"hs512.2.refresh",
     "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDIsImlhdCI6MTc2NDAwMDAwMiwiaXNzIjoiaXNzIiwianRpIjoiMDE1YjdiMjAtNzJmMi00Y"
     "TgxLTkyYWUtNWFmNDQ3ZGIyMTc3Iiwic2lkIjoiaW4xMjM0MiIsInN1YiI6ImNhZsOpIFwicVwiIiwidG9rZW5fdHlwZS"
     "I6InJlZnJlc2gifQ.y2Q-3Js90534xYECaAFGu0h_jB0FB6zP_"
     "BiKsyQzEoUp9OhneVPjnzQTjl6WZQyHqPQhAT5pJhujSPoACFcZbQ"},
    {"hs512.3.access",
     "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDA5MDMsImlhdCI6MTc2NDAwMDAwMywiaXNzIjoiaXNzIiwianRpIjoiYzVjODZlYTYtNWNhNS00Y"
     "2QyLTkyMTEtMmRhZjM4N2JhOGM2Iiwic2NvcGUiOiJpbnNwZWN0Iiwic2lkIjoiaW4xMjM0MyIsInN1YiI6ImJhZO-_"
     "vSIsInRva2VuX3R5cGUiOiJhY2Nlc3MifQ.7AGROf2mTG_N_"
     "b7cbvTQRdxjRZlM7r4Wa0Gca86OlPYZn0p3zHkih8LTAeD3xsRX_NPdxT1sdqfgZG6RXW2WXA"},
    {"hs512.3.refresh",
     "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDMsImlhdCI6MTc2NDAwMDAwMywiaXNzIjoiaXNzIiwianRpIjoiYWFmZjg1ZjYtYmM0Yi00N"
     "DdjLTk0OTYtYTVlOWQwNjYzMTc4Iiwic2lkIjoiaW4xMjM0MyIsInN1YiI6ImJhZO-_"
     "vSIsInRva2VuX3R5cGUiOiJyZWZyZXNoIn0.ZJnYrEmnXz2UivnBkb7RjyMPKoM1fN0qzh-o-KkdGdAKkZlbGu_rL7R_"
     "hIHaQh72SQSGvDWC6Gt3xVhIi5tZ2Q"},
    {"hs256-long-secret.0.access",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDA5MDAsImlhdCI6MTc2NDAwMDAwMCwianRpIjoiNzJlNmRjMTYtMTRlMS00ZTg5LTkxYjYtOWM0Z"
     "jFjZjA3YWI0Iiwic2NvcGUiOiJpbnNwZWN0Iiwic2lkIjoiaW4xMjM0MCIsInN1YiI6ImJlbmNoIiwidG9rZW5fdHlwZS"
     "I6ImFjY2VzcyJ9.1w2yNigUw9P7mSueUxmQ0AiZKi6qxEFgi0ncvMkq21Q"},
    {"hs256-long-secret.0.refresh",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDAsImlhdCI6MTc2NDAwMDAwMCwianRpIjoiNWM2OWY1MmYtNjdiOC00NDdhLWI4MTYtZmNlY"
     "ThjZTM2MTQ0Iiwic2lkIjoiaW4xMjM0MCIsInN1YiI6ImJlbmNoIiwidG9rZW5fdHlwZSI6InJlZnJlc2gifQ.AxD_"
     "Qzzu_dr1k4ciIzu5LoA6D311KsRcetAEYmU818c"},
    {"hs256-long-secret.1.access",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDAwMDYsImlhdCI6MTc2NDAwMDAwMSwianRpIjoiMjQwOWY0ZGQtYThjNC00ZWFhLThkMzktMTc1N"
     "Tc2MDZkMmQ4Iiwic2NvcGUiOiJpbnNwZWN0Iiwic2lkIjoiaW4xMjM0MSIsInRva2VuX3R5cGUiOiJhY2Nlc3MifQ."
     "fT61-ptF2nvbk1UNNzEAXQ_e1nV4pghCFvSXYGKNer4"},
    {"hs256-long-secret.1.refresh",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDAwMDYsImlhdCI6MTc2NDAwMDAwMSwianRpIjoiZDEwYjJjN2UtNTBkZi00Njg4LThiOTAtN2FiN"
     "Dc0Mjc1MjEzIiwic2lkIjoiaW4xMjM0MSIsInRva2VuX3R5cGUiOiJyZWZyZXNoIn0.XGT621CxMI_psk-"
     "avYKHmOLoiEhQlf6Q02-XSh1FbAw"},
    {"hs256-long-secret.2.access",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDA5MDIsImlhdCI6MTc2NDAwMDAwMiwianRpIjoiYjVkNmYyNmMtZDExNi00ZmFhLTljYjItNzMxY"
     "jRhZjdjYTc4Iiwic2NvcGUiOiJpbnNwZWN0Iiwic2lkIjoiaW4xMjM0MiIsInN1YiI6ImNhZsOpIFwicVwiIiwidG9rZW"
     "5fdHlwZSI6ImFjY2VzcyJ9.iIdORDH1Odx3w2RuvHZmCSOP4-a3KOJhuNlyO_PikNs"},
    {"hs256-long-secret.2.refresh",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDIsImlhdCI6MTc2NDAwMDAwMiwianRpIjoiMDE1YjdiMjAtNzJmMi00YTgxLTkyYWUtNWFmN"
     "DQ3ZGIyMTc3Iiwic2lkIjoiaW4xMjM0MiIsInN1YiI6ImNhZsOpIFwicVwiIiwidG9rZW5fdHlwZSI6InJlZnJlc2gifQ"
     ".EuTPLyGQll0RhwG3-z8HG9lPYSwrBajyY18vPUf3PG8"},
    {"hs256-long-secret.3.access",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDA5MDMsImlhdCI6MTc2NDAwMDAwMywianRpIjoiYzVjODZlYTYtNWNhNS00Y2QyLTkyMTEtMmRhZ"
     "jM4N2JhOGM2Iiwic2NvcGUiOiJpbnNwZWN0Iiwic2lkIjoiaW4xMjM0MyIsInN1YiI6ImJhZO-_"
     "vSIsInRva2VuX3R5cGUiOiJhY2Nlc3MifQ.Lp9ekomGHWoDtftDh95S96qjgumgB9QRMCzci46Zg_Q"},
    {"hs256-long-secret.3.refresh",
     "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDMsImlhdCI6MTc2NDAwMDAwMywianRpIjoiYWFmZjg1ZjYtYmM0Yi00NDdjLTk0OTYtYTVlO"
     "WQwNjYzMTc4Iiwic2lkIjoiaW4xMjM0MyIsInN1YiI6ImJhZO-_vSIsInRva2VuX3R5cGUiOiJyZWZyZXNoIn0."
     "N9iI9BIFbHxjrYolk87gEa5NplXrSdQYDZxf6LSrfeg"},
    {"login.0",
     "{\"access_token\":\"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDM2MDAsImlhdCI6MTc2NDAwMDAwMCwiaXNzIjoiaW5zcGVrdC1tb2NrIiwianRpIjoiNmRjMTYxN"
     "GUtMWZlOC00ZDFiLWE5YzQtZjFjZjA3YWI0ZDVjIiwic2lkIjoiaW4xNTU0MjAyNTExMjQxNjAwMDAiLCJzdWIiOiJiZW"
     "5jaCIsInRva2VuX3R5cGUiOiJhY2Nlc3MifQ.ZMmni4GEEtl75HSnXi2CyuU2XR_H-P5_QI1yM_kwhQ8\",\"refresh_"
     "token\":\"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDAsImlhdCI6MTc2NDAwMDAwMCwiaXNzIjoiaW5zcGVrdC1tb2NrIiwianRpIjoiOWY1MmY2N"
     "2ItODk0Ny00MTgxLThmY2UtYThjZTM2MTQ0YjI0Iiwic2lkIjoiaW4xNTU0MjAyNTExMjQxNjAwMDAiLCJzdWIiOiJiZW"
     "5jaCIsInRva2VuX3R5cGUiOiJyZWZyZXNoIn0.j8EqJKEJlf3RpFqFoVKFWzAkHWbk0xS_TXp8RdkFSsI\","
     "\"session\":\"in155420251124160000\"}"},
    {"login.1", "{\"access_token\":\"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                "eyJleHAiOjE3NjQwMDM2MDAsImlhdCI6MTc2NDAwMDAwMCwiaXNzIjoiaW5zcGVrdC1tb2NrIiwianRpIj"
                "oiOWY0ZGRhOGMtNGNlYS00NWQzLTgxNzUtNTc2MDZkMmQ4NGQxIiwic2lkIjoiaW4wODYwMjAyNTExMjQx"
                "NjAwMDAiLCJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.eV0FWEg_GFtw-3x_5yzlz2P62RSxuHV5gv_"
                "m5QX9Ui0\",\"refresh_token\":\"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
                "eyJleHAiOjE3NjQwODY0MDAsImlhdCI6MTc2NDAwMDAwMCwiaXNzIjoiaW5zcGVrdC1tb2NrIiwianRpIj"
                "oiYjJjN2U1MGQtZmY2OC00ZWI5LTk3YWItNDc0Mjc1MjEzNGI1Iiwic2lkIjoiaW4wODYwMjAyNTExMjQx"
                "NjAwMDAiLCJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.bvdNSTdOd2pyG04uX2Z9O6N_"
                "NeTa9q9jXFeHSmvCafc\",\"session\":\"in086020251124160000\"}"},
    {"login.2",
     "{\"access_token\":\"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwMDM2MDAsImlhdCI6MTc2NDAwMDAwMCwiaXNzIjoiaW5zcGVrdC1tb2NrIiwianRpIjoiNmYyNmNkM"
     "TEtNmJmYS00NWNiLTk3MzEtYjRhZjdjYTc4NTAxIiwic2lkIjoiaW43MDIwMjAyNTExMjQxNjAwMDAiLCJzdWIiOiJiZW"
     "5jaCIsInRva2VuX3R5cGUiOiJhY2Nlc3MifQ.rgI6YsX0Zyfn0b2bjcEzTl50fCnGcXz6vZmqx02Ruho\",\"refresh_"
     "token\":\"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
     "eyJleHAiOjE3NjQwODY0MDAsImlhdCI6MTc2NDAwMDAwMCwiaXNzIjoiaW5zcGVrdC1tb2NrIiwianRpIjoiYjdiMjA3M"
     "mYtMjNhOC00ZDJhLTg1YWYtNDQ3ZGIyMTc3NWM1Iiwic2lkIjoiaW43MDIwMjAyNTExMjQxNjAwMDAiLCJzdWIiOiJiZW"
     "5jaCIsInRva2VuX3R5cGUiOiJyZWZyZXNoIn0.3i1ziZTDZSk7f4mIF9FhqIaLJphYFjYHq3L8fIEaerI\","
     "\"session\":\"in702020251124160000\"}"},
};

void check_golden(const std::string &name, const std::string &actual) {
  if (const char *file = print_file()) {
    std::ofstream(file, std::ios::app) << "@@" << name << "\n" << actual << "\n";
  }
  INFO(name);
  const auto expected = golden.find(name);
  if (expected == golden.end()) {
    FAIL_CHECK("no expected value");
    return;
  }
  CHECK(actual == expected->second);
}

HttpRequest login(std::string body) {
  return {"POST",
          std::string(authenticate_path),
          "application/json",
          std::move(body),
          false,
          std::nullopt,
          std::nullopt,
          {}};
}

TokenSettings settings(JwtAlgorithm algorithm, std::string secret, std::string issuer) {
  TokenSettings out;
  out.algorithm = algorithm;
  out.secret = std::move(secret);
  out.issuer = std::move(issuer);
  out.access = {"access", std::chrono::seconds(900), nlohmann::json{{"scope", "inspect"}}};
  out.refresh = {"refresh", std::chrono::seconds(86400), nlohmann::json::object()};
  return out;
}

} // namespace

TEST_CASE("a seeded Entropy draws the same ids", "[tokens][determinism]") {
  Entropy entropy(7);
  check_golden("entropy.next", std::to_string(entropy.next()));
  check_golden("entropy.digits", entropy.digits(9));
  check_golden("entropy.hex", entropy.hex(21));
  for (int i = 0; i < 3; ++i) {
    check_golden("entropy.uuid." + std::to_string(i), entropy.uuid());
  }
  check_golden("entropy.hex.empty", entropy.hex(0));
  check_golden("entropy.next.after", std::to_string(entropy.next()));
}

TEST_CASE("seeded session ids are the same in every format", "[tokens][determinism]") {
  for (const std::string format :
       {"in{digits:4}{timestamp}", "{uuid}", "s-{hex:20}-{digits:30}", "x{hex:3}{uuid}"}) {
    Entropy entropy(7);
    SessionIdGenerator ids(parse_session_id_format(format), entropy);
    std::string all;
    for (int i = 0; i < 3; ++i) {
      all += ids.next(entropy, 1764000000 + i) + "\n";
    }
    check_golden("session." + format, all);
  }
}

TEST_CASE("seeded tokens are the same for every algorithm and claim set", "[tokens][determinism]") {
  struct Row {
    std::string name;
    TokenSettings settings;
  };
  const std::vector<Row> rows{
      {"hs256", settings(JwtAlgorithm::hs256, "s3cret", "https://issuer.example")},
      {"hs384", settings(JwtAlgorithm::hs384, "another secret", "")},
      // A secret longer than SHA-512's block: HMAC hashes it first.
      {"hs512", settings(JwtAlgorithm::hs512, std::string(200, 'k'), "iss")},
      {"hs256-long-secret", settings(JwtAlgorithm::hs256, std::string(65, 'z'), "")},
  };
  for (const auto &row : rows) {
    const TokenIssuer issuer(row.settings);
    Entropy entropy(7);
    const std::vector<std::optional<std::string>> clients{
        "bench", std::nullopt, std::string("caf\xc3\xa9 \"q\""), std::string("bad\xff")};
    int i = 0;
    for (const auto &client : clients) {
      const auto lifetime =
          i == 1 ? std::optional<std::chrono::seconds>(std::chrono::seconds(5)) : std::nullopt;
      const auto tokens =
          issuer.issue("in1234" + std::to_string(i), client, 1764000000 + i, entropy, lifetime);
      const auto name = row.name + "." + std::to_string(i++);
      check_golden(name + ".access", tokens.access_token);
      check_golden(name + ".refresh", tokens.refresh_token);
      CHECK(inspekt::verify_jwt(tokens.access_token, row.settings.algorithm, row.settings.secret));
      CHECK(inspekt::verify_jwt(tokens.refresh_token, row.settings.algorithm, row.settings.secret));
    }
  }
}

TEST_CASE("a mock with --seed 7 and a fixed clock answers logins byte for byte as before",
          "[tokens][handler][determinism]") {
  const AuthHandler handler(load_embedded_fixtures(), {7, 1764000000});
  const std::vector<std::string> bodies{R"({"key":"demo-valid-key","client_id":"bench"})",
                                        R"({"key":"demo-valid-key"})",
                                        R"({"key":"demo-valid-key","client_id":"bench"})"};
  int i = 0;
  for (const auto &body : bodies) {
    const auto response = handler.handle(login(body)).response;
    CHECK(response.status == 200);
    check_golden("login." + std::to_string(i++), response.body);
  }
}
