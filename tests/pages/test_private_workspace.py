"""Private workspaces on a shared server (issue 15): a protected workspace opens only after its passphrase."""

from __future__ import annotations

import pytest
from streamlit.proto.TextInput_pb2 import TextInput as TextInputProto
from streamlit.testing.v1 import AppTest

from core.data import service
from core.platform import access
from core.platform.workspace import Workspace
from tests.conftest import ROOT, write_csv

APP = str(ROOT / "app.py")
ORDERS = "order_id,customer_id,order_time,order_total\nA1,c1,2024-05-01 10:00,100\nA2,c2,2024-05-02 11:00,50\n"
PASSPHRASE = "correct horse battery"


@pytest.fixture
def private(tmp_path):
    """A shop of two orders with a passphrase."""
    shop = service.new_workspace("Private shop")
    service.load(shop, write_csv(tmp_path / "orders.csv", ORDERS))
    access.protect(shop, PASSPHRASE)
    return shop


def rerun(at: AppTest) -> AppTest:
    """Run the entry file again, as a browser's rerun does: after a first run AppTest 1.67 reruns the page it
    finished on alone, without app.py's sidebar, and switch_page("app.py") is refused while st.navigation's
    pages are registered; forgetting the page it finished on (private to AppTest) runs app.py."""
    at._page_hash = at._finished_page_script_hash = ""
    return at.run()


def chosen(stem: str, at: AppTest | None = None) -> AppTest:
    """The app (opened on the demo unless given), then `stem` chosen in the sidebar's workspace picker."""
    if at is None:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
    at.sidebar.selectbox[1].select(stem)
    return rerun(at)


def attempt(at: AppTest, passphrase: str) -> AppTest:
    at.text_input(key="unlock_passphrase").input(passphrase)
    at.button(key="unlock_button").click()
    return rerun(at)


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.sidebar.caption]


def test_a_protected_workspace_asks_for_its_passphrase_when_shared(monkeypatch, private):
    monkeypatch.setenv("SHOPLENS_SHARED", "1")
    at = chosen(private.path.stem)
    assert not at.exception
    assert at.sidebar.selectbox[1].value == private.path.stem  # the picker keeps the choice while it waits
    assert at.text_input(key="unlock_passphrase").proto.type == TextInputProto.PASSWORD  # typed hidden
    assert [i.value for i in at.info] == ["Workspace 'Private shop' is private: enter its passphrase in the sidebar to open it."]
    assert not at.metric  # neither its numbers nor the demo's in their place
    assert not [c for c in captions(at) if c.startswith("Orders:")]

    attempt(at, "wrong guess!")
    assert [e.value for e in at.error] == ["That passphrase does not open workspace 'Private shop'."]
    assert not at.metric

    attempt(at, PASSPHRASE)
    assert not at.exception and not at.error
    assert "unlock_passphrase" not in [t.key for t in at.text_input]
    assert [c for c in captions(at) if c.startswith("Orders:")] == ["Orders: 2 rows 2024-05-01 – 2024-05-02"]
    assert at.metric  # the page shows its data
    # edge: unlocking lasts for the session: choosing the demo and coming back asks nothing
    chosen(private.path.stem, chosen("demo", at))
    assert "unlock_passphrase" not in [t.key for t in at.text_input]


def test_locally_nothing_is_asked(monkeypatch, private):
    monkeypatch.delenv("SHOPLENS_SHARED", raising=False)  # the app's config listens on 127.0.0.1
    at = chosen(private.path.stem)
    assert not at.exception
    assert "unlock_passphrase" not in [t.key for t in at.text_input]
    # edge: the same protected file opens at once on this machine
    assert [c for c in captions(at) if c.startswith("Orders:")] == ["Orders: 2 rows 2024-05-01 – 2024-05-02"]


def data_page(at: AppTest | None = None) -> AppTest:
    if at is None:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
    return at.switch_page("pages/data.py").run()


def test_a_workspace_made_on_a_shared_server_needs_a_passphrase(monkeypatch, data_dir):
    monkeypatch.setenv("SHOPLENS_SHARED", "1")
    at = data_page()
    at.text_input(key="new_workspace_name").input("Team shop").run()
    assert at.text_input(key="new_workspace_passphrase").proto.type == TextInputProto.PASSWORD
    assert at.file_uploader[0].proto.disabled  # no upload before a passphrase
    at.text_input(key="new_workspace_passphrase").input("short").run()
    assert [e.value for e in at.error] == ["The passphrase is too short: use at least 10 characters."]
    at.text_input(key="new_workspace_passphrase").input(PASSPHRASE).run()
    at.file_uploader[0].upload("orders.csv", ORDERS.encode(), "text/csv").run()
    at.button(key="load_button").click().run()
    assert not at.exception
    made = Workspace(data_dir / "team_shop.duckdb")
    assert access.is_protected(made) and access.unlock(made, PASSPHRASE) is True
    # who made it has it open in this session; a new session has to unlock it
    assert at.session_state["workspace_path"] == str(made.path)
    assert "unlock_passphrase" not in [t.key for t in data_page(at).text_input]
    assert chosen("team_shop").text_input(key="unlock_passphrase")


def test_an_open_workspace_on_a_shared_server_says_so_and_takes_a_passphrase(monkeypatch, tmp_path):
    monkeypatch.setenv("SHOPLENS_SHARED", "1")
    shop = service.new_workspace("Open shop")
    service.load(shop, write_csv(tmp_path / "orders.csv", ORDERS))
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["workspace_path"] = str(shop.path)
    at.run()
    data_page(at)
    assert "Workspace 'Open shop' has no passphrase: anyone who can reach this server can open it. Set one below." in [
        w.value for w in at.warning]
    at.text_input(key="changed_passphrase").input(PASSPHRASE)
    at.button(key="passphrase_button").click().run()
    assert [s.value for s in at.success] == ["Workspace 'Open shop' has its new passphrase."]
    assert access.unlock(Workspace(shop.path), PASSPHRASE) is True
    # edge: changing it again asks for the current one, and a wrong one changes nothing
    at.text_input(key="current_passphrase").input("not the passphrase")
    at.text_input(key="changed_passphrase").input("another long one")
    at.button(key="passphrase_button").click().run()
    assert [e.value for e in at.error] == ["That passphrase does not open workspace 'Open shop'."]
    assert access.unlock(Workspace(shop.path), PASSPHRASE) is True
