"""Replicas of inspekt-mock on loopback behind Debian's nginx as the load balancer
(docs/deployment.md). Used by replicas_test.py and scripts/bench --only
replicas. Everything listens on 127.0.0.1 on free ports and stops with the block."""
import os
import signal
import socket
import subprocess
import time

NGINX = "/usr/sbin/nginx"

# proxy_next_upstream ... non_idempotent: a POST login that met a closed or refused
# connection (a replica stopping or not yet started) is sent to the next replica.
# fail_timeout=1s: a replica back from a restart takes requests again within a second.
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log error;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  upstream mocks {{
{servers}
    keepalive 64;
  }}
  server {{
    listen 127.0.0.1:{port} backlog=1024;
    location / {{
      proxy_pass http://mocks;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 1s;
    }}
  }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, seconds=5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.01)
    return False


class Replica:
    """One inspekt-mock; its access log goes to a file so that a test can count its share."""

    def __init__(self, binary, tmp, index, args, env):
        self.binary, self.index, self.args, self.env = binary, index, list(args), env
        self.log_path = os.path.join(tmp, f"replica-{index}.log")
        self.port = 0
        self.process = None

    def start(self):
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(
                [self.binary, "--host", "127.0.0.1", "--port", str(self.port), *self.args],
                stdout=subprocess.PIPE, stderr=log, text=True, env=self.env)
        ready = self.process.stdout.readline()
        if not ready.startswith("listening on "):
            raise RuntimeError(f"replica {self.index} did not start: {ready!r}")
        self.port = int(ready.rsplit(":", 1)[1])
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=10)
        return self.process.returncode

    def logins_logged(self):
        with open(self.log_path) as log:
            return sum(1 for line in log if "/api/authenticate" in line)


class ReplicaSet:
    """`count` mocks with the same arguments behind one nginx upstream."""

    def __init__(self, binary, tmp, count, args=(), instance_names=True, env=None):
        self.tmp = tmp
        self.replicas = []
        for i in range(count):
            extra = ["--instance", f"replica-{i}"] if instance_names else []
            self.replicas.append(Replica(binary, tmp, i, [*args, *extra], env))
        self.nginx = None
        self.url = None

    def __enter__(self):
        try:
            for replica in self.replicas:
                replica.start()
            servers = "\n".join(f"    server 127.0.0.1:{r.port} max_fails=1 fail_timeout=1s;"
                                for r in self.replicas)
            port = free_port()
            conf = os.path.join(self.tmp, "nginx.conf")
            with open(conf, "w") as f:
                f.write(NGINX_CONF.format(tmp=self.tmp, port=port, servers=servers))
            self.nginx = subprocess.Popen([NGINX, "-p", self.tmp, "-c", conf, "-e",
                                           os.path.join(self.tmp, "nginx-error.log")])
            if not wait_for_port(port):
                raise RuntimeError("nginx did not listen within 5 s: " + self.nginx_errors())
            self.url = f"http://127.0.0.1:{port}"
            return self
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def nginx_errors(self):
        path = os.path.join(self.tmp, "nginx-error.log")
        return open(path).read()[-2000:] if os.path.exists(path) else ""

    def __exit__(self, *exc):
        if self.nginx and self.nginx.poll() is None:
            self.nginx.terminate()
            self.nginx.wait(timeout=10)
        for replica in self.replicas:
            replica.stop()
