"""Personal data in the app (issue 15): the Customer tiers page masks contact details unless the owner
chooses them in full (and logs that download), leaves customers without marketing consent out of touch
lists, and the Data page forgets one customer.

The workspace is loaded from a three-customer Shopify-like export; expected masks are written by hand."""

from __future__ import annotations

import pandas as pd

from core.customers import service
from core.data import ingest
from tests.conftest import table, write_csv
from tests.pages.conftest import page_for, show

# one order each, all recent and small: with the playbook's lines (fewer than 25 customers) all three are Normal.
# Ann gave consent and a phone; Bob refused consent; Cat gave consent.
SHOP = """
    Name,Email,Created at,Total,Accepts Marketing,Phone,Currency
    #1001,Ann@Example.com,2024-05-01 10:00,100,yes,+86 138 1234 5678,EUR
    #1002,bob@example.com,2024-05-02 10:00,20,no,,EUR
    #1003,cat@example.com,2024-05-03 10:00,50,yes,,EUR
"""


def load(workspace, tmp_path):
    ingest.load(workspace, write_csv(tmp_path / "orders_export.csv", SHOP), kind="orders")


def everyone(workspace) -> service.CustomerList:
    """All customers as the page lists them, keyed by their pseudonyms (the e-mails never reach `orders`)."""
    ids = [c for (c,) in table(workspace, "select distinct customer_id from orders order by customer_id")]
    return service.CustomerList(rows=pd.DataFrame({"customer_id": ids}), file_name="customers-all.csv")


def by_customer(contact_list: service.ContactList) -> dict:
    """customer -> (e-mail, phone), a missing value as None."""
    rows = contact_list.listing.rows.astype(object).where(contact_list.listing.rows.notna(), None)
    return dict(zip(rows["customer_id"], zip(rows["email"], rows["phone"], strict=True), strict=True))


def test_exports_mask_contacts_unless_chosen_in_full(workspace, tmp_path):
    load(workspace, tmp_path)
    listing = everyone(workspace)
    masked = service.with_contacts(workspace, listing)
    assert masked.has_contacts and not masked.full and masked.left_out == 0
    # by hand: first letter, ***, the domain; the phone's first three and last four digits (+86 dropped)
    assert sorted(by_customer(masked).values(), key=str) == sorted(
        [("a***@example.com", "138****5678"), ("b***@example.com", None), ("c***@example.com", None)], key=str)
    full = service.with_contacts(workspace, listing, full=True)
    # e-mails are stored trimmed and lower-cased (edge: Ann's file spelling had capitals), the phone as written
    assert sorted(by_customer(full).values(), key=str) == sorted(
        [("ann@example.com", "+86 138 1234 5678"), ("bob@example.com", None), ("cat@example.com", None)], key=str)
    assert table(workspace, "select count(*) from personal_audit")[0][0] == 0  # building a file logs nothing


def test_the_tiers_page_logs_only_a_full_download(workspace, tmp_path):
    load(workspace, tmp_path)
    at = show(page_for(workspace.path, "pages.customer_tiers").run(), "lists")
    assert not at.exception and not at.error
    assert "Customers: 3" in [c.value for c in at.caption]
    # edge: a masked download is not logged
    at.download_button(key="tiers_csv").click().run()
    assert table(workspace, "select count(*) from personal_audit")[0][0] == 0
    at.checkbox(key="tiers_contacts_full").check().run()
    assert "Contact details in full: downloading this list is recorded in the workspace's personal-data audit." in [
        c.value for c in at.caption]
    at.download_button(key="tiers_csv").click().run()
    assert not at.exception and not at.error
    assert table(workspace, "select action, what, rows from personal_audit") == [("export_full", "customers-all.csv", 3)]


def test_touch_lists_leave_out_customers_without_consent(workspace, tmp_path):
    load(workspace, tmp_path)
    listing = everyone(workspace)
    reachable = service.with_contacts(workspace, listing, consented_only=True)
    assert reachable.left_out == 1  # Bob said no
    assert sorted(reachable.listing.rows["email"]) == ["a***@example.com", "c***@example.com"]

    at = show(page_for(workspace.path, "pages.customer_tiers").run(), "lists")
    at.selectbox(key="export_tier").set_value("Normal").run()
    assert not at.exception and not at.error
    assert "1 customer(s) without marketing consent left out of this touch list." in [c.value for c in at.caption]
    at.button(key="touch_record").click().run()
    campaign_id, contacted, held_out = at.session_state["touch_campaign"]
    assert len(contacted) + held_out == 2  # Ann and Cat, split between contacted and holdout
    bob = listing.rows["customer_id"][~listing.rows["customer_id"].isin(reachable.listing.rows["customer_id"])].item()
    assert bob not in contacted
    # edge: ticking the box brings Bob back and the note goes
    at.checkbox(key="touch_include_unconsented").check().run()
    assert not any("left out" in c.value for c in at.caption)


def test_forgetting_a_customer_from_the_data_page(workspace, tmp_path):
    load(workspace, tmp_path)
    at = page_for(workspace.path, "pages.data").run()
    assert "Forget a customer" in [e.label for e in at.expander]
    # edge: the address as typed by a person, with capitals and a space, still finds Ann
    at.text_input(key="forget_value").set_value(" ANN@example.com").run()
    at.button(key="forget_button").click().run()
    assert table(workspace, "select count(*) from contacts")[0][0] == 4  # asked first: nothing deleted yet
    assert any(w.value.startswith("Forget the customer with the e-mail") for w in at.warning)
    at.button(key="forget_yes").click().run()
    assert not at.exception and not at.error
    # Ann had an e-mail and a phone (2 rows), Bob and Cat one e-mail each: 4 rows before, 2 after
    assert at.success[0].value == ("1 customer(s) forgotten: 2 contact detail(s) deleted, "
                                   "1 order line(s) moved to an anonymous key.")
    assert table(workspace, "select count(*) from contacts")[0][0] == 2
    assert "ann@example.com" not in set(service.with_contacts(workspace, everyone(workspace), full=True).listing.rows["email"])
    assert table(workspace, "select count(*) from orders")[0][0] == 3  # the sales stay

    at.text_input(key="forget_value").set_value("zed@example.com").run()
    at.button(key="forget_button").click().run()
    at.button(key="forget_yes").click().run()
    assert "No customer with that e-mail is in this workspace; nothing was changed." in [i.value for i in at.info]


def test_the_demo_offers_no_forgetting(demo):
    at = page_for(demo, "pages.data").run()
    assert "Forget a customer" not in [e.label for e in at.expander]
