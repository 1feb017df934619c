"""The kitchen's planner catalogue is kept between requests, and any edit shows at once."""

import os
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.urls import reverse

from menus import services
from menus.catalogue_cache import cached_catalogue
from menus.instances import catalogue
from menus.models import Meal
from nutrition.models import Dish, DishIngredient, DishTag, Food, FoodPrice
from tests.menus.conftest import MONDAY


@pytest.fixture
def priced(kitchen):
    """A fish main with a recipe and a price, so costs and families are in the catalogue."""
    fish = kitchen.catalogue["main"][0]
    food = Food.objects.create(code="C1", name="Colin")
    DishIngredient.objects.create(dish=fish, food=food, grams_elementaire=Decimal("100"))
    FoodPrice.objects.create(kitchen=kitchen, food=food, unit_price=Decimal("15"))
    return fish, food


def test_the_cached_catalogue_is_the_catalogue_and_a_second_read_builds_nothing(
    kitchen, priced, django_assert_max_num_queries
):
    first = cached_catalogue(kitchen)
    assert first == catalogue(kitchen)
    with django_assert_max_num_queries(4):  # the fingerprint only; no model is built again
        assert cached_catalogue(kitchen) == first


def test_every_edit_the_catalogue_reads_shows_up_at_once(kitchen, priced):
    fish, food = priced
    key = f"D{fish.pk}"
    cached_catalogue(kitchen)

    fish.name = "Filet de colin"
    fish.save()
    assert cached_catalogue(kitchen)[key].name == "Filet de colin"

    # Bulk writes (as the tag recomputation does) send no signal; the fingerprint sees them.
    DishTag.objects.filter(dish=fish, tag="fish_70").update(applies=False)
    assert "fish_70" not in cached_catalogue(kitchen)[key].tags

    FoodPrice.objects.filter(kitchen=kitchen, food=food).update(unit_price=Decimal("20"))
    assert cached_catalogue(kitchen)[key].cost == pytest.approx(2.0)

    DishIngredient.objects.filter(dish=fish).update(grams_elementaire=Decimal("50"))
    assert cached_catalogue(kitchen)[key].cost == pytest.approx(1.0)

    Food.objects.filter(pk=food.pk).update(purchase_unit="piece", piece_grams=Decimal("100"))
    assert cached_catalogue(kitchen)[key].cost == pytest.approx(10.0)  # half a piece at 20 €

    assert cached_catalogue(kitchen) == catalogue(kitchen)


def test_the_compliance_report_follows_a_tag_edit_at_once(client, world, kitchen):
    client.force_login(world.users["cook"])
    client.post(reverse("menu_calendar", kwargs={"pk": kitchen.pk}) + f"?start={MONDAY}&weeks=1")
    fish = kitchen.catalogue["main"][0]
    services.set_course(
        meal=Meal.objects.get(canteen=kitchen, date=MONDAY), component="main", dish=fish
    )
    url = reverse("menu_compliance", kwargs={"pk": kitchen.pk}) + f"?start={MONDAY}&weeks=1"

    assert client.get(url).context["report"].rule("gemrcn-9").meals_counted == [MONDAY]
    DishTag.objects.filter(dish=fish, tag="fish_70").update(applies=False)
    assert client.get(url).context["report"].rule("gemrcn-9").meals_counted == []


def _redis_url() -> str | None:
    """A Redis database for this test alone (db 14 of the local Redis, or CACHE_TEST_URL)."""
    import redis

    url = os.environ.get("CACHE_TEST_URL", "redis://127.0.0.1:6379/14")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return None
    return url


def test_with_redis_the_web_processes_share_one_catalogue(kitchen, priced):
    """``make prod`` sets REDIS_URL: the catalogue one gunicorn worker built is what another
    reads (a fresh connection stands for the other process), and an edit still shows at once."""
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis answers on 127.0.0.1:6379")
    from django.core.cache import caches
    from django.test import override_settings

    shared = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"cantine-test-{os.getpid()}",
        }
    }
    with override_settings(CACHES=shared):
        caches["default"].clear()
        built = cached_catalogue(kitchen)
        caches["default"].close()  # the next read comes over a new connection
        with patch("menus.instances.catalogue", side_effect=AssertionError("built again")):
            assert cached_catalogue(kitchen) == built == catalogue(kitchen)
        fish, _food = priced
        Dish.objects.filter(pk=fish.pk).update(name="Filet de colin")
        assert cached_catalogue(kitchen)[f"D{fish.pk}"].name == "Filet de colin"
        caches["default"].clear()


def test_the_settings_share_the_cache_in_redis_when_jobs_go_there():
    """REDIS_URL (``make prod``) puts the cache in Redis beside the job queue; without it each
    process keeps its own (``make run``, the tests)."""
    import subprocess
    import sys

    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
    env.pop("CACHE_URL", None)

    def backend(**extra) -> str:
        run = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env={**{k: v for k, v in env.items() if k != "REDIS_URL"}, **extra},
            capture_output=True,
            text=True,
            check=True,
        )
        return run.stdout.strip()

    assert backend(REDIS_URL="redis://127.0.0.1:6379/1").endswith("RedisCache")
    assert backend().endswith("LocMemCache")
