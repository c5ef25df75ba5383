"""What every chart shares: blue for what is fine, red for what needs a look, and dates written as
numbers (2024-05-01) so an axis reads the same in English and Chinese (Vega names months in English)."""

import altair as alt

LEAK_COLOR, OK_COLOR, ANOMALY_COLOR = "#dc2626", "#2563eb", "#dc2626"

DATE_FORMATS = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m"}
DATE_AXIS = alt.Axis(format=DATE_FORMATS["day"])
