def test_home_renders_each_tenant_in_its_currency(shop, other_shop):
    a = shop.get("/shop/")
    b = other_shop.get("/shop/")
    assert a.status_code == 200 and b.status_code == 200
    assert "Boutique akwa" in a.get_data(as_text=True)
    assert "FCFA" in a.get_data(as_text=True)
    assert "F\u202fCFA" in b.get_data(as_text=True)
