import pytest

from app.inventory.allocation import StoreRef, Unavailable, allocate
from app.tenancy.geo import city_coordinates, distance_km

DOUALA = StoreRef(1, 4.05, 9.70)
YAOUNDE = StoreRef(2, 3.87, 11.52)
BAFOUSSAM = StoreRef(3, 5.48, 10.42)
STORES = [DOUALA, YAOUNDE, BAFOUSSAM]


def test_distance_is_plausible():
    km = distance_km(city_coordinates("CM", "Douala"), city_coordinates("CM", "Yaoundé"))
    assert 190 < km < 210


def test_nearest_store_that_holds_everything_wins():
    stock = {(10, 1): 5, (10, 2): 5, (11, 2): 1}
    plan = allocate({10: 2, 11: 1}, STORES, stock, city_coordinates("CM", "Douala"))
    assert plan.store_id == 2 and plan.picks == [(10, 2, 2), (11, 2, 1)]
    plan = allocate({10: 2}, STORES, stock, city_coordinates("CM", "Douala"))
    assert plan.store_id == 1


def test_split_nearest_first_when_no_single_store_can():
    stock = {(10, 1): 1, (10, 3): 5, (11, 2): 1}
    plan = allocate({10: 3, 11: 1}, STORES, stock, city_coordinates("CM", "Bafoussam"))
    assert plan.store_id is None
    assert plan.picks == [(10, 3, 3), (11, 2, 1)]
    plan = allocate({10: 6}, STORES, stock, city_coordinates("CM", "Douala"))
    assert plan.picks == [(10, 1, 1), (10, 3, 5)]


def test_not_enough_anywhere_or_no_split_allowed():
    with pytest.raises(Unavailable) as err:
        allocate({10: 7}, STORES, {(10, 1): 3, (10, 2): 3}, None)
    assert err.value.available == 6
    with pytest.raises(Unavailable):
        allocate({10: 2}, [DOUALA], {(10, 1): 1}, None, allow_split=False)
