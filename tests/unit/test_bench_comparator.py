"""The comparator of the page benchmark (``tests/benchmarks/comparator``): its table page
renders the 50 rows of one bucket, and its bare page answers."""

from __future__ import annotations

from tests.benchmarks.comparator import PER_BUCKET, create_app, seed


def test_the_comparator_lists_fifty_rows_and_answers_its_bare_page(tmp_path):
    app = create_app(f"sqlite:///{tmp_path}/comparator.sqlite")
    with app.app_context():
        seed(10_000)
    client = app.test_client()
    page = client.get("/rows/7")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('<th scope="row">') == PER_BUCKET == 50
    assert "<title>Bucket 7 — Comparator</title>" in html
    assert '<th scope="row">351</th>' in html and '<th scope="row">400</th>' in html
    assert client.get("/hello").status_code == 200
