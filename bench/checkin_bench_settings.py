"""Settings for bench_checkin_throughput.py: production, plus the baseline view's URL and
rate limits high enough for 64 connections from one address (still counted, so their cost
stays in the figure)."""

from shuangying.settings.production import *  # noqa: F403

ROOT_URLCONF = "checkin_bench_urls"
CHECKIN_RATE_PER_ADDRESS = 10**9
CHECKIN_RATE_PER_DEVICE = 10**9
# The warm-up registers the 500 bench persons from one address at one place.
CHECKIN_REGISTER_RATE_PER_ADDRESS = 10**9
CHECKIN_REGISTER_RATE_PER_DEVICE = 10**9
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
