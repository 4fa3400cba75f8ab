"""Helpers for driving the public form like a browser does."""

import re

from flask.testing import FlaskClient

HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|kunci|layanan|mulai)"[^>]*value="([^"]*)"')


def hidden_fields(client: FlaskClient, token: str) -> dict[str, str]:
    page = client.get(f"/survei/{token}").get_data(as_text=True)
    return {name: value for name, value in HIDDEN.findall(page)}


def full_answers(codes, value: int = 4) -> dict[str, str]:
    return {code: str(value) for code in codes}


SKM = [f"U{i}" for i in range(1, 10)]
IPAK = [f"AK{i}" for i in range(1, 6)]
