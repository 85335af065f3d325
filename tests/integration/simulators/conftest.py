"""The payment simulators tested on their own, without a shop: ``sim`` here is the bare
session simulator reset to a fresh world, not the shop-wired ``sim`` of tests/support/payments."""
import pytest

from tests.support.simulators import Receiver


@pytest.fixture
def sim(simulator):
    simulator.reset()
    return simulator


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()
