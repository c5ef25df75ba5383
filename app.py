"""ShopLens: the entry point lays out the sidebar and the pages; the pages call core/."""

from pathlib import Path

import streamlit as st

from pages.components import sidebar
from pages.components.state import guard, t

# A file of our own: a ":material/...:" or emoji page icon makes the browser fetch it from fonts.gstatic.com on
# every page, which fails offline (the navigation's material icons come with Streamlit's own fonts).
ICON = Path(__file__).parent / "assets" / "shoplens.png"

st.set_page_config(page_title="ShopLens", page_icon=str(ICON), layout="wide")

with guard():
    sidebar.show()

pages = [
    st.Page("pages/sales.py", title=t("nav.sales"), icon=":material/insights:", default=True),
    st.Page("pages/products.py", title=t("nav.products"), icon=":material/inventory_2:"),
    st.Page("pages/diagnosis.py", title=t("nav.diagnosis"), icon=":material/monitor_heart:"),
    st.Page("pages/ab_testing.py", title=t("nav.ab_testing"), icon=":material/science:"),
    st.Page("pages/customer_tiers.py", title=t("nav.customer_tiers"), icon=":material/groups:"),
    st.Page("pages/budget.py", title=t("nav.budget"), icon=":material/payments:"),
    st.Page("pages/improvements.py", title=t("nav.improvements"), icon=":material/task_alt:"),
    st.Page("pages/data.py", title=t("nav.data"), icon=":material/upload_file:"),
]
st.navigation(pages).run()
