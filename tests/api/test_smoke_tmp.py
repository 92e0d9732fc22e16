import cProfile, pstats, time
def test_speed(billing_api, billing):
    items = [{"source": "twitter", "external_id": f"x{i}", "author": {"handle": f"jo{i%300}", "followers": 10, "display_name": "Jo", "url": "https://x.com/jo"}, "text": "hi there my invoice is wrong " * 3, "url": "https://x.com/jo/1", "posted_at": "2026-11-25T09:12:00Z", "language": "en", "parent_external_id": f"x{i-1}" if i % 5 else ""} for i in range(1000)]
    p = cProfile.Profile(); p.enable()
    r = billing_api.post("/api/v1/mentions/", items, format="json")
    p.disable()
    pstats.Stats(p).sort_stats("cumulative").print_stats(35)
    assert 0
