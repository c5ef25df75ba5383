"""Page tests run the real app on a copy of the demo workspace, built once per test run."""

from __future__ import annotations

import shutil

import pytest
import streamlit as st

from core.data.demo import build_demo, demo_path
from core.platform import background
from pages.components import state
from tests.conftest import wait_for_background


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path)
    return path


@pytest.fixture(autouse=True)
def demo(data_dir, demo_template, monkeypatch):
    """Each test gets the demo in its own data folder and fresh Streamlit caches. Pages wait for their
    slow work (AppTest does not run the fragment that fills it in later; tests/pages/test_background.py
    covers that path)."""
    shutil.copy(demo_template, demo_path(data_dir))
    monkeypatch.setenv("SHOPLENS_WAIT_FOR_MODELS", "1")
    monkeypatch.setenv("SHOPLENS_CHECK_UNCHANGED", "1")  # a page must not change an answer every run shares
    st.cache_data.clear()
    st.cache_resource.clear()
    state._fingerprints.clear()
    background.forget_all()
    yield demo_path(data_dir)
    # work a test left running (models, work ahead) ends before its workspace closes: closing a connection that a
    # worker is opening a cursor on fails ("connection is busy"), and the work would run into the next test
    wait_for_background()
    state._ahead.submit(lambda: None).result(timeout=120)
    st.cache_data.clear()
    st.cache_resource.clear()
    background.forget_all()


def _render_page(path: str, module: str) -> None:
    """A page as a function of its workspace (AppTest runs this function's source on its own)."""
    import importlib

    from core.platform.workspace import Workspace

    importlib.import_module(module).render(Workspace(path))


def page_for(workspace_path, module: str):
    """AppTest of one page handed a workspace of our own, as the ethelred pages are handed their data."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_function(_render_page, args=(str(workspace_path), module), default_timeout=60)


def show(at, section: str):
    """Customer tiers shows one section at a time: pick it, as the owner clicks it, and run the page."""
    return at.segmented_control(key="tiers_section").set_value(section).run()
