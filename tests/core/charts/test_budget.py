"""Chart builders: the data and encodings a chart is handed, read back from its Vega-Lite spec."""

from __future__ import annotations

import pandas as pd

from core.charts import budget as charts


def test_matrix_heatmap_labels_each_cell_with_its_share():
    matrix = pd.DataFrame({"category": ["Bags", "Bags", "Shoes"], "channel": ["search", "email", "search"],
                           "stars": [5, 2, 3], "share_of_gmv": [0.5, 0.125, 0.375]})
    spec = charts.matrix_heatmap(matrix, "zh").to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [(r["category"], r["channel"], r["share_label"]) for r in rows] == [
        ("Bags", "search", "50%"), ("Bags", "email", "12%"), ("Shoes", "search", "38%")]
    cells, labels = spec["layer"]
    assert cells["mark"]["type"] == "rect" and cells["encoding"]["color"]["field"] == "stars"
    assert cells["encoding"]["color"]["scale"]["domain"] == [1, 2, 3, 4, 5]  # same colours whatever stars occur
    assert labels["encoding"]["text"]["field"] == "share_label"
    assert spec["title"].startswith("下一笔钱")  # titles follow the language
