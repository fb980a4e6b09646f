"""A three-master Redis Cluster on loopback, built from the same redis-server binary."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from redis.cluster import RedisCluster

from skill.redis_server import RedisServer, find_redis_server


def _cli() -> str:
    return str(Path(find_redis_server()).with_name("redis-cli"))


class ThreeMasterCluster:
    def __init__(self, base_dir: Path, ports: list[int]):
        self.nodes = [
            RedisServer(base_dir / f"node-{port}", port=port, persist=False,
                        extra_args=["--cluster-enabled", "yes",
                                    "--cluster-config-file", f"nodes-{port}.conf",
                                    "--cluster-node-timeout", "2000"])
            for port in ports
        ]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.nodes[0].port}/0?cluster=true"

    def start(self) -> ThreeMasterCluster:
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> ThreeMasterCluster:
        for node in self.nodes:
            node.start()
        addresses = [f"127.0.0.1:{node.port}" for node in self.nodes]
        subprocess.run([_cli(), "--cluster", "create", *addresses, "--cluster-replicas", "0",
                        "--cluster-yes"], check=True, capture_output=True, timeout=60)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            info = subprocess.run([_cli(), "-p", str(self.nodes[0].port), "cluster", "info"],
                                  capture_output=True, text=True, timeout=10).stdout
            if "cluster_state:ok" in info:
                return self
            time.sleep(0.1)
        raise RuntimeError("cluster did not become ready")

    def client(self) -> RedisCluster:
        return RedisCluster(host="127.0.0.1", port=self.nodes[0].port)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
