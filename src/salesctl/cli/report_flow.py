"""Filing a report (`report daily/weekly/monthly`): by flags for scripts, or, at a terminal, the
end-of-day flow: show the compiled form, write the texts (editor or one-line prompts), show the
filled form, then Submit / Save draft / Edit again / Cancel.

Everything is asked before the write transaction opens (an open prompt or editor never holds the
database's write lock); Ctrl-C anywhere cancels the whole command (exit 130, nothing written).
"""

from __future__ import annotations

from salesctl.cli.common import command_context


def file_report(kind: str, period_text: str | None, rep: str | None, given: dict, *, draft: bool, submit: bool,
                fmt: str) -> None:
    from salesctl import render
    from salesctl.cli import report_render as view
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.services.reports import reports as svc

    if draft and submit:
        raise InvalidInput(t("report.err.draft_or_submit"))
    action = "submit" if submit else "draft" if draft else None
    given = {k: v for k, v in given.items() if v is not None}

    if render.interactive() and action != "draft":
        action = _at_the_terminal(kind, period_text, rep, given, action)
        if action is None:
            render.info(t("prompt.cancelled"))
            return

    if action is None:  # no terminal, no --draft/--submit: print the compiled form, write nothing
        with command_context() as ctx:
            filing = svc.prepare(ctx, kind, period_text, rep, given)
            doc = svc.document(ctx, filing)
        view.render_form(doc, fmt)
        report = filing.report
        if report is not None and report.status != "draft":
            render.info(t("report.msg.already_submitted", id=report.id, at=doc["submitted_at"]))
        else:
            render.info(t("report.msg.preview"))
        return

    with command_context(write=True) as ctx:
        filing = svc.prepare(ctx, kind, period_text, rep, given)
        if action == "submit":
            report, doc = svc.submit(ctx, filing)
        else:
            report = svc.save_draft(ctx, filing)
            doc = svc.document(ctx, filing)
    view.render_filed(report, doc, action, fmt)


def _at_the_terminal(kind, period_text, rep, given: dict, action: str | None) -> str | None:
    """The person's part, read-only: fills `given`; returns submit/draft, or None for Cancel."""
    from salesctl.cli import report_render as view
    from salesctl.services.reports import reports as svc

    with command_context() as ctx:
        filing = svc.prepare(ctx, kind, period_text, rep, given)
        doc = svc.document(ctx, filing)
    view.render_form(doc, "table")  # today's compiled form: contacts, grade changes
    texts = dict(filing.texts)
    if given and not filing.missing():  # everything came by flag
        return action or _ask_action(filing.sections, texts, doc)
    while True:
        texts.update(_ask_texts(kind, filing.sections, texts, doc))
        given.update(texts)
        filled = dict(doc, **{k: texts.get(k) or None for k in filing.sections})
        view.render_form(filled, "table")  # what would be submitted
        if action == "submit":
            return action
        choice = _ask_action(filing.sections, texts, filled)
        if choice != "edit":
            return choice


def _ask_texts(kind: str, sections, texts: dict, doc: dict) -> dict[str, str]:
    """The free-text sections: in $VISUAL/$EDITOR when set, else one single-line prompt each (Enter finishes)."""
    from salesctl import prompts
    from salesctl.cli import report_render as view
    from salesctl.messages import t

    if prompts.editor_command():
        written = prompts.edit(view.editor_template(kind, sections, texts, doc), prefix=f"salesctl-{kind}-")
        found = view.parse_editor_text(written, sections)
        return {key: found.get(key, "") for key in sections}
    answers = {}
    for key in sections:
        answers[key] = prompts.text(t("report.prompt.text", section=t(view.SECTION_LABELS[kind][key])),
                                    default=texts.get(key) or "").strip()
    return answers


def _ask_action(sections, texts: dict, doc: dict) -> str | None:
    """Submit / Save draft / Edit again / Cancel; Submit is not offered while a section is empty."""
    from salesctl import prompts
    from salesctl.messages import t

    complete = all((texts.get(k) or "").strip() for k in sections)
    choices = [(t("report.prompt.submit"), "submit")] if complete else []
    choices += [(t("report.prompt.draft"), "draft"), (t("report.prompt.edit"), "edit"),
                (t("report.prompt.cancel"), "cancel")]
    message = t("report.prompt.action") if complete else t("report.prompt.action_incomplete")
    choice = prompts.select(message, choices)
    return None if choice == "cancel" else choice
