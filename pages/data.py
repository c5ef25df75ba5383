"""Data: upload exports into the workspace, see what was understood, and what is there."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from core.data import service
from core.data.service import MODES, Report
from core.platform import access
from core.platform.money import MISSING
from core.platform.workspace import MAX_NAME_LENGTH, Workspace
from pages.components import data_status, load_handover, load_report, mapping_editor, uploader
from pages.components.state import guard, is_shared, mark_unlocked, select_workspace, t, t_user, visitor
from pages.components.translated_choices import translated


def _target(workspace: Workspace) -> tuple[Workspace | None, str | None]:
    """The demo is read-only: an upload there goes into a new workspace the user names. On a shared
    server the new workspace gets a passphrase before any data goes in (issue 15)."""
    if not workspace.is_demo:
        return workspace, None
    st.info(t("data.demo_read_only"))
    name = st.text_input(t("data.new_workspace"), key="new_workspace_name", placeholder=t("data.new_workspace_hint"),
                         max_chars=MAX_NAME_LENGTH)
    passphrase = None
    if is_shared():
        passphrase = st.text_input(t("data.new_passphrase"), type="password", key="new_workspace_passphrase",
                                   help=t("data.new_passphrase_help", min=access.MIN_LENGTH))
        if passphrase:
            access.check_passphrase(passphrase)
    if not name.strip() or passphrase == "":
        return None, None
    return service.new_workspace(name), passphrase


def _preview(workspace: Workspace, path, file_name, kind, mapping, day_first) -> Report:
    """Staged on a private cursor, nothing written; kept per file and choice, so moving other
    widgets does not read the file again."""
    key = (str(path), kind, tuple(sorted(mapping.items())), day_first)
    cached = st.session_state.get("upload_preview")
    if cached and cached[0] == key:
        return cached[1]
    report = service.preview(workspace, path, file_name=file_name, kind=kind, mapping=mapping, day_first=day_first)
    st.session_state["upload_preview"] = (key, report)
    return report


def _load(target: Workspace, passphrase: str | None, path, file_name, kind, mapping, day_first, preview: Report) -> None:
    mode = st.radio(t("data.mode"), MODES, horizontal=True, format_func={m: t(f"data.mode.{m}") for m in MODES}.get,
                    key=translated("load_mode"))
    skip = st.checkbox(t("data.skip_bad_rows"), key="skip_bad_rows")
    blocked = service.load_blocked(preview, skip)  # nothing valid to load: the button says so before a click
    if blocked:
        st.caption(t(blocked))
    if load_handover.KEY in st.session_state:  # one load at a time: the note above the page says it is under way
        return
    if not st.button(t("data.load"), type="primary", key="load_button", disabled=blocked is not None):
        return
    bar = st.progress(0.0, text=t("progress.reading"))
    left_for: list[ScriptControlException] = []  # a click on another page during the load

    def progress(fraction: float, stage: str) -> None:
        """The click stops this run at its next Streamlit call (the bar): the load goes on instead, and the
        page clicked follows it (load_handover)."""
        try:
            bar.progress(fraction, text=t(stage))
        except ScriptControlException as click:
            left_for[:] = [click]

    under_way = load_handover.start(file_name, target, path, unlock=passphrase is not None)
    try:
        under_way.report = service.load(
            target, path, kind=kind, mapping=mapping, day_first=day_first, file_name=file_name, mode=mode,
            skip_bad_rows=skip, progress=progress, passphrase=passphrase, who=visitor(),
        )
    except Exception as error:
        under_way.error = error
        if left_for:
            raise left_for[0] from None  # the page clicked says what went wrong
        bar.empty()  # no bar left frozen under the error message
        load_handover.finish(under_way)
        raise
    finally:
        if not under_way.over:  # ended by what is no error of the load (the server stopping): not left waiting
            under_way.error = RuntimeError("the load was stopped")
    if left_for:
        raise left_for[0]  # this run was left for another page, which takes the new data from here
    load_handover.finish(under_way)
    st.rerun()


def _upload(workspace: Workspace) -> None:
    target, passphrase = _target(workspace)
    upload = uploader.show(disabled=target is None)
    if upload is None or target is None:
        return
    path, file_name = upload
    try:
        headers, detected = service.inspect(path, file_name)
        kind, mapping, day_first = mapping_editor.show(headers, detected)
        report = _preview(workspace, path, file_name, kind, mapping, day_first)
        load_report.show(report, workspace)
        _load(target, passphrase, path, file_name, kind, mapping, day_first, report)
    except Exception:
        uploader.discard(path)  # a failed upload leaves no copy behind; the uploader still holds the file
        raise


def _outlier_choice(workspace: Workspace) -> None:
    saved = data_status.excludes_price_outliers(workspace)
    choice = st.checkbox(t("data.exclude_outliers"), value=saved, disabled=workspace.is_demo, key="exclude_outliers")
    if choice != saved:
        service.save_excludes_price_outliers(workspace, choice)


def _rename(workspace: Workspace) -> None:
    shown = workspace.display_name
    name = st.text_input(t("data.workspace_name"), value=shown, max_chars=MAX_NAME_LENGTH, key=f"rename_{workspace.name}")
    st.caption(t_user("data.workspace_file", file=workspace.path.name))
    if st.button(t("data.rename"), key="rename_button", disabled=name == shown):
        service.rename_workspace(workspace, name)
        st.session_state["workspace_notice"] = ("data.renamed", workspace.display_name)
        st.rerun()  # the sidebar, drawn before this page, shows the new name


def _delete(workspace: Workspace) -> None:
    """Deleting takes two clicks: the first only asks."""
    if st.button(t("data.delete"), key="delete_button"):
        st.session_state["confirm_delete"] = str(workspace.path)
    if st.session_state.get("confirm_delete") != str(workspace.path):
        return
    name = workspace.display_name
    st.warning(t_user("data.delete_confirm", name=name))
    yes, no = st.columns(2)
    if no.button(t("data.delete_no"), key="delete_no"):
        st.session_state.pop("confirm_delete")
        st.rerun()
    if yes.button(t("data.delete_yes"), type="primary", key="delete_yes"):
        st.session_state.pop("confirm_delete")
        service.delete_workspace(workspace)
        select_workspace(service.demo_workspace().path)
        st.session_state["workspace_notice"] = ("data.deleted", name)
        st.rerun()


FORGET_BY = ("email", "phone")


def _forget(workspace: Workspace) -> None:
    """Erase one customer's personal data (right to erasure): asked once more before anything is deleted."""
    with st.expander(t("data.forget"), expanded="forget_done" in st.session_state or "confirm_forget" in st.session_state,
                     key="forget_section"):
        st.markdown(t("data.forget_intro"))  # not a caption: the rename line stays the last caption
        done = st.session_state.pop("forget_done", None)
        if done is not None:
            field, result = done
            if result.customers:
                st.success(t("personal.forgotten", customers=result.customers, contacts=result.contacts, orders=result.orders))
            else:
                st.info(t("personal.nobody", field=t(f"personal.kind.{field}")))
        by_box, value_box = st.columns([1, 3])
        field = by_box.radio(t("data.forget_by"), FORGET_BY, key=translated("forget_by"), format_func={f: t(f"col.{f}") for f in FORGET_BY}.get)
        value = value_box.text_input(t("data.forget_value"), key="forget_value", max_chars=254)
        if st.button(t("data.forget_button"), key="forget_button", disabled=not value.strip()):
            st.session_state["confirm_forget"] = (str(workspace.path), field, value.strip())
        asked = st.session_state.get("confirm_forget")
        if not asked or asked[0] != str(workspace.path):
            return
        _, field, value = asked
        st.warning(t_user("data.forget_confirm", field=t(f"personal.kind.{field}"), value=value))
        yes, no = st.columns(2)
        if no.button(t("data.forget_no"), key="forget_no"):
            st.session_state.pop("confirm_forget")
            st.rerun()
        if yes.button(t("data.forget_yes"), type="primary", key="forget_yes"):
            st.session_state.pop("confirm_forget")
            result = service.forget_customer(workspace, **{field: value})
            st.session_state["forget_done"] = (field, result)
            st.rerun()


def _passphrase(workspace: Workspace) -> None:
    """Set or change the passphrase asked when the app is shared; changing it asks for the current one."""
    protected = service.has_passphrase(workspace)
    if protected:
        st.caption(t("data.passphrase_set"))
    elif is_shared():
        st.warning(t_user("data.passphrase_missing_shared", name=workspace.display_name))
    else:
        st.caption(t("data.passphrase_none"))
    with st.form("passphrase_form", clear_on_submit=True, border=False):
        current = st.text_input(t("data.current_passphrase"), type="password", key="current_passphrase") if protected else ""
        new = st.text_input(t("data.new_passphrase"), type="password", key="changed_passphrase",
                            help=t("data.new_passphrase_help", min=access.MIN_LENGTH))
        if not st.form_submit_button(t("data.change_passphrase" if protected else "data.set_passphrase"),
                                     key="passphrase_button"):
            return
    if not service.change_passphrase(workspace, current, new, who=visitor()):
        st.error(t_user("access.wrong_passphrase", name=workspace.display_name))
        return
    mark_unlocked(workspace)  # this session had it open: it stays open
    st.session_state["workspace_notice"] = ("data.passphrase_saved", workspace.display_name)
    st.rerun()


def _manage(workspace: Workspace) -> None:
    """Rename or delete the workspace, forget a customer; the demo is read-only, so it shows none of them."""
    if workspace.is_demo:
        return
    st.subheader(t("data.workspace"))
    with guard():
        _rename(workspace)
    with guard():
        _passphrase(workspace)
    with guard():
        _forget(workspace)
    with guard():
        _delete(workspace)


def render(workspace: Workspace) -> None:
    st.title(t("data.title"))
    st.caption(t("data.intro", limit=uploader.UPLOAD_LIMIT_MB))
    if "workspace_notice" in st.session_state:
        key, name = st.session_state.pop("workspace_notice")
        st.success(t_user(key, name=name))
    with guard():
        _upload(workspace)
    st.subheader(t("data.datasets"))
    st.dataframe(data_status.summary_frame(workspace), hide_index=True, placeholder=MISSING,
                 column_config={t("col.rows"): st.column_config.NumberColumn(format="%,d"),  # 123,780 as on the tiles
                                t("col.hidden_rows"): st.column_config.NumberColumn(format="%,d")})
    hidden = data_status.hidden_rows(workspace)
    if hidden:
        st.warning(t("data.hidden_rows", rows=hidden))
    with guard():
        _outlier_choice(workspace)
    _manage(workspace)


if __name__ == "__main__":
    from pages.components.state import run_page

    run_page(render)
