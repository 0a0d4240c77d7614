#!/usr/bin/env python3
"""The container image.

lint SOURCE_DIR: the Dockerfile, parsed into stages and instructions (line continuations,
  JSON and shell forms), holds what docs/deployment.md promises: two stages on
  debian:bookworm-slim; the build stage runs packaging/container-build-steps (the
  README's scripts); the image runs as a non-root user; EXPOSE 8080; a HEALTHCHECK whose
  command is inspekt-healthcheck, the script that asks /__admin/health; CMD runs
  inspekt-mock on 0.0.0.0:8080; no admin token in any command line. compose.yaml
  (parsed as YAML) passes the token as a secret file.
image SOURCE_DIR: where `docker` reaches a daemon, builds the image, runs it with an
  admin token from the environment on a loopback port, waits for "healthy", logs in;
  exit 77 (ctest: skipped) where there is no daemon.
healthcheck HEALTHCHECK MOCK: the healthcheck script against a mock on a free port.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from packaging_support import Checks, clean_env, login, mock  # noqa: E402

SKIP = 77


def parse_dockerfile(text):
    """[(stage_base, stage_name, [(INSTRUCTION, args_text)])] in order."""
    lines, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue  # comments inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    if current:
        lines.append(current)
    stages = []
    for line in lines:
        instruction, _, args = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            words = args.split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append((words[0], name, []))
        elif not stages:
            raise ValueError(f"{instruction} before any FROM")
        else:
            stages[-1][2].append((instruction, args.strip()))
    return stages


def command_words(args):
    """An instruction's command as words: JSON form or shell form."""
    if args.startswith("["):
        return json.loads(args)
    return shlex.split(args)


def lint(source):
    checks = Checks()
    stages = parse_dockerfile(open(os.path.join(source, "Dockerfile")).read())
    checks.check(len(stages) >= 2 and all(base == "debian:bookworm-slim" for base, _, _ in stages),
                 f"multi-stage on debian:bookworm-slim: {[(b, n) for b, n, _ in stages]}")
    build_runs = [args for _, _, body in stages[:-1] for ins, args in body if ins == "RUN"]
    checks.check(any("packaging/container-build-steps" in run for run in build_runs),
                 "the build stage runs packaging/container-build-steps")
    steps = open(os.path.join(source, "packaging", "container-build-steps")).read()
    checks.check(re.search(r'"\$root/scripts/bootstrap"', steps) is not None and
                 re.search(r'"\$root/scripts/build"', steps) is not None,
                 "container-build-steps calls the README's scripts/bootstrap and scripts/build")
    final = stages[-1][2]
    users = [args for ins, args in final if ins == "USER"]
    user = users[-1].split(":")[0] if users else "root"
    checks.check(user not in ("root", "0"), f"the image runs as a non-root user ({user})")
    exposed = [port for ins, args in final if ins == "EXPOSE" for port in args.split()]
    checks.check("8080" in exposed or "8080/tcp" in exposed, f"EXPOSE 8080 ({exposed})")
    health = [args for ins, args in final if ins == "HEALTHCHECK"]
    health_cmd = []
    if health:
        options, _, cmd = health[-1].partition("CMD")
        health_cmd = command_words(cmd.strip())
    checks.check(health_cmd[:1] == ["inspekt-healthcheck"], f"HEALTHCHECK CMD {health_cmd}")
    copies = [args.split() for ins, args in final if ins == "COPY"]
    checks.check(["packaging/container-healthcheck", "/usr/local/bin/inspekt-healthcheck"] in copies,
                 "the image holds packaging/container-healthcheck as inspekt-healthcheck")
    script = open(os.path.join(source, "packaging", "container-healthcheck")).read()
    checks.check("GET /__admin/health HTTP/1.1" in script, "inspekt-healthcheck asks /__admin/health")
    cmds = [command_words(args) for ins, args in final if ins in ("CMD", "ENTRYPOINT")]
    cmd = cmds[-1] if cmds else []
    checks.check(cmd[:1] == ["inspekt-mock"] and cmd[cmd.index("--host") + 1:][:1] == ["0.0.0.0"]
                 and cmd[cmd.index("--port") + 1:][:1] == ["8080"] if "--host" in cmd and "--port" in cmd
                 else False, f"CMD runs inspekt-mock --host 0.0.0.0 --port 8080 ({cmd})")
    everything = [command_words(args) for _, _, body in stages for ins, args in body
                  if ins in ("CMD", "ENTRYPOINT", "RUN")]
    checks.check(not any("--admin-token" in words for words in everything),
                 "no --admin-token TOKEN on any command line")
    try:
        import yaml
        compose = yaml.safe_load(open(os.path.join(source, "compose.yaml")))
        service = compose["services"]["inspekt-mock"]
        command = service["command"]
        checks.check("--admin-token-file" in command and "--admin-token" not in command and
                     command[command.index("--admin-token-file") + 1].startswith("/run/secrets/"),
                     f"compose.yaml: the token from a secret file ({command})")
        checks.check(service.get("secrets") and set(service["secrets"]) <= set(compose["secrets"]),
                     "compose.yaml: the secret it names is declared")
    except ImportError:
        print("skip compose.yaml: python3-yaml is missing (scripts/bootstrap installs it)")
    checks.finish()


def image(source):
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "info"], capture_output=True,
                                        timeout=20).returncode != 0:
        print("skipped: no docker daemon reachable here")
        sys.exit(SKIP)
    checks = Checks()
    tag = f"inspekt-mock-test:{uuid.uuid4().hex[:8]}"
    token = uuid.uuid4().hex
    name = f"inspekt-mock-test-{uuid.uuid4().hex[:8]}"
    subprocess.run([docker, "build", "-t", tag, source], check=True, timeout=1800)
    try:
        size = subprocess.run([docker, "image", "inspect", "-f", "{{.Size}}", tag],
                              capture_output=True, text=True, check=True).stdout.strip()
        print(f"image {tag}: {size} bytes")
        # The token reaches the container from this environment, never from argv.
        subprocess.run([docker, "run", "-d", "--name", name, "-p", "127.0.0.1::8080",
                        "-e", "INSPEKT_ADMIN_TOKEN", tag], check=True, timeout=60,
                       env={**clean_env, "INSPEKT_ADMIN_TOKEN": token})
        port = subprocess.run([docker, "port", name, "8080/tcp"], capture_output=True, text=True,
                              check=True).stdout.split(":")[-1].strip()
        health = ""
        for _ in range(60):
            health = subprocess.run([docker, "inspect", "-f", "{{.State.Health.Status}}", name],
                                    capture_output=True, text=True).stdout.strip()
            if health in ("healthy", "unhealthy"):
                break
            time.sleep(1)
        checks.check(health == "healthy", f"the container becomes healthy ({health})")
        user = subprocess.run([docker, "exec", name, "id", "-u"], capture_output=True,
                              text=True).stdout.strip()
        checks.check(user not in ("", "0"), f"the mock runs as uid {user}")
        status, body = login(f"http://127.0.0.1:{port}")
        checks.check(status == 200 and "session" in body, f"a login through the port: {status}")
    finally:
        subprocess.run([docker, "rm", "-f", name], capture_output=True)
        subprocess.run([docker, "rmi", "-f", tag], capture_output=True)
    checks.finish()


def healthcheck(script, mock_bin):
    """The script says healthy exactly when /__admin/health answers 200."""
    checks = Checks()
    import urllib.error
    import urllib.request

    def status(url, token=None):
        request = urllib.request.Request(url + "/__admin/health")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    def verdict(port, env):
        return subprocess.run([script, str(port)], capture_output=True, text=True, timeout=10,
                              env={**clean_env, "INSPEKT_ADMIN_TOKEN_FILE": "/nonexistent", **env})

    token = uuid.uuid4().hex
    with mock(mock_bin) as url:
        port = url.rsplit(":", 1)[1]
        open_status = status(url)
        run = verdict(port, {})
        checks.check((run.returncode == 0) == (open_status == 200),
                     f"no token: /__admin/health answers {open_status}, the script says "
                     f"{run.stdout.strip()!r}")
    with mock(mock_bin, env={**clean_env, "INSPEKT_ADMIN_TOKEN": token}) as url:
        port = url.rsplit(":", 1)[1]
        if status(url, token) == 200:
            token_file = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"token-{uuid.uuid4().hex}")
            with open(token_file, "w") as f:
                f.write(token + "\n")
            try:
                checks.check(verdict(port, {}).returncode == 1, "a mock with a token: unhealthy "
                             "for the script without it (401)")
                checks.check(verdict(port, {"INSPEKT_ADMIN_TOKEN": token}).returncode == 0,
                             "healthy with INSPEKT_ADMIN_TOKEN")
                checks.check(verdict(port, {"INSPEKT_ADMIN_TOKEN_FILE": token_file}).returncode == 0,
                             "healthy with the token file")
            finally:
                os.unlink(token_file)
        else:
            print("skip the token checks: this mock has no admin API yet (/__admin/health is not 200)")
    # A mock on a non-loopback host without a token answers 403 (the admin API is closed):
    # alive, unless the script was given a token. A stand-in answers so on loopback.
    import http.server
    import threading

    class Closed(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Closed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        run = verdict(port, {})
        checks.check(run.returncode == 0, f"403 without a token configured: alive ({run.stdout.strip()!r})")
        run = verdict(port, {"INSPEKT_ADMIN_TOKEN": token})
        checks.check(run.returncode == 1, f"403 with a token configured: unhealthy ({run.stdout.strip()!r})")
    finally:
        server.shutdown()
    run = verdict(1, {})
    checks.check(run.returncode == 1 and "nothing listens" in run.stdout,
                 f"nothing listening: unhealthy ({run.stdout.strip()!r})")
    checks.finish()


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "lint":
        lint(sys.argv[2])
    elif mode == "image":
        image(sys.argv[2])
    elif mode == "healthcheck":
        healthcheck(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: container_test.py lint|image SOURCE_DIR | healthcheck SCRIPT MOCK")
