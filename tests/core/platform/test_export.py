import pandas as pd

from core.platform.export import neutralise, to_safe_csv


def test_formula_like_text_is_neutralised_and_numbers_are_not():
    assert neutralise("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert [neutralise(v) for v in ("+1", "-2", "@SUM(A1)", "\tx", "plain", -3.5, 7)] == ["'+1", "'-2", "'@SUM(A1)", "'\tx", "plain", -3.5, 7]


def test_csv_download_neutralises_cells_and_headers():
    frame = pd.DataFrame({"=cmd": ["=1+1", "ok"], "amount": [-5, 10]})
    text = to_safe_csv(frame).decode("utf-8-sig")
    assert text.splitlines() == ["'=cmd,amount", "'=1+1,-5", "ok,10"]
