import os
import uuid
from pathlib import Path

import pytest

from sbemu import Emulator

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def suite_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("sbemu-python")


@pytest.fixture(scope="session")
def tls_dir(suite_tmp) -> Path:
    d = suite_tmp / "tls"
    d.mkdir(exist_ok=True)
    return d


def _trust(ca: Path) -> None:
    # The one setting Python needs for the admin client (HTTPS on the admin port): trust the CA.
    os.environ["REQUESTS_CA_BUNDLE"] = str(ca)
    os.environ["SSL_CERT_FILE"] = str(ca)


@pytest.fixture(scope="session")
def emulator(suite_tmp, tls_dir):
    # No entities (each test creates its own) and two namespace policies besides the default one,
    # Send-only and Listen-only, for test_authorization.py.
    config = HERE.parent / "auth-config.json"
    emu = Emulator(tls_dir=tls_dir, config=config, log_file=suite_tmp / "emulator-shared.log").start()
    _trust(emu.ca_path)
    yield emu
    emu.stop()


@pytest.fixture
def fresh_emulator(suite_tmp, tls_dir, request):
    """A new emulator for one test (the tutorial's scripts use fixed entity names)."""
    emu = Emulator(tls_dir=tls_dir, log_file=suite_tmp / f"emulator-{request.node.name}.log").start()
    _trust(emu.ca_path)
    yield emu
    emu.stop()


@pytest.fixture
def name():
    def make(prefix: str = "q") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:8]}"
    return make
