"""The few colours every chart shares: blue for what is fine, red for what needs a look."""

LEAK_COLOR, OK_COLOR, ANOMALY_COLOR = "#dc2626", "#2563eb", "#dc2626"
