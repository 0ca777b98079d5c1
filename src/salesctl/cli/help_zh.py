"""`--lang zh` all the way through the command line: Click's and Typer's own words, and the help
texts of commands and options, from salesctl.messages.cli_help (English stays in the cli modules).

`install()` is called once when the app is built; every lookup checks the display language at the
moment Click formats, so `--lang`, SALESCTL_LANG, `config set lang` and the locale all apply.
"""

from __future__ import annotations

_installed = False


def _zh() -> bool:
    from salesctl.messages import language

    return language() == "zh"


def gettext(message: str) -> str:
    if not _zh():
        return message
    from salesctl.messages.cli_help import CLICK_WORDS

    return CLICK_WORDS.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def words(text: str) -> str:
    """Click's literal English words in a message (Usage:, Error:, Try … for help) in zh."""
    if not _zh():
        return text
    import re

    from salesctl.messages.cli_help import CLICK_PATTERNS

    for pattern, replacement in CLICK_PATTERNS:
        text = re.sub(pattern, replacement, text)
    return text


def install() -> None:
    """Route Click's and Typer's gettext through `gettext` above; translate help texts at format time."""
    global _installed
    if _installed:
        return
    _installed = True
    import importlib

    import typer.core

    try:  # typer 0.29 carries its own copy of Click (typer._click); older ones use click itself
        click = importlib.import_module("typer._click")
        base = "typer._click"
    except ImportError:
        import click

        base = "click"
    for name in ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui"):
        try:
            module = importlib.import_module(f"{base}.{name}")
        except ImportError:
            continue
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    for module in (typer.core,):
        if hasattr(module, "_"):
            module._ = gettext

    exceptions = importlib.import_module(f"{base}.exceptions")
    formatting = importlib.import_module(f"{base}.formatting")
    for cls in (exceptions.ClickException, exceptions.UsageError):
        _wrap_show(cls, exceptions)
    write_usage = formatting.HelpFormatter.write_usage

    def write_usage_zh(self, prog, args="", prefix=None):
        if _zh():
            if prefix is None:
                prefix = "用法："
            from salesctl.messages.cli_help import USAGE_WORDS

            for english, chinese in USAGE_WORDS:
                args = args.replace(english, chinese)
        return write_usage(self, prog, args, prefix)

    formatting.HelpFormatter.write_usage = write_usage_zh
    _install_wrapper(importlib.import_module(f"{base}._textwrap"))

    original = click.core.Command.format_help

    def format_help(self, ctx, formatter):
        if not _zh():
            return original(self, ctx, formatter)
        from salesctl.messages.cli_help import COMMANDS, OPTIONS

        path = " ".join(ctx.command_path.split()[1:])
        saved = [(self, "help", self.help)] + [(p, "help", getattr(p, "help", None)) for p in self.params]
        if hasattr(self, "short_help"):
            saved.append((self, "short_help", self.short_help))
        try:
            if path in COMMANDS:
                self.help = COMMANDS[path]
                self.short_help = None
            for param in self.params:
                text = getattr(param, "help", None)
                if text and text in OPTIONS:
                    param.help = OPTIONS[text]
            result = original(self, ctx, formatter)
            if isinstance(getattr(formatter, "buffer", None), list):  # the help option is made on the fly
                formatter.buffer[:] = [b.replace("Show this message and exit.", OPTIONS["Show this message and exit."])
                                       for b in formatter.buffer]
            return result
        finally:
            for obj, attr, value in saved:
                setattr(obj, attr, value)

    click.core.Command.format_help = format_help
    # a group lists its commands' short help: translate the first line of a known path
    group_class = getattr(click.core, "Group", None) or typer.core.TyperGroup
    original_list = group_class.format_commands

    def format_commands(self, ctx, formatter):
        if not _zh():
            return original_list(self, ctx, formatter)
        from salesctl.messages.cli_help import COMMANDS

        base = " ".join(ctx.command_path.split()[1:])
        changed = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            key = f"{base} {name}".strip()
            if cmd is not None and key in COMMANDS:
                changed.append((cmd, cmd.short_help))
                cmd.short_help = COMMANDS[key].split("\n")[0].rstrip("。") + "。"
        try:
            return original_list(self, ctx, formatter)
        finally:
            for cmd, value in changed:
                cmd.short_help = value

    group_class.format_commands = format_commands


def _wrap_show(cls, exceptions) -> None:
    """`show()` with its lines (usage, hint, 'Error: …') passed through `words`."""
    import io

    show = cls.__dict__.get("show")
    if show is None:
        return

    def show_zh(self, file=None):
        if not _zh():
            return show(self, file)
        if file is None:
            file = exceptions.get_text_stderr() if hasattr(exceptions, "get_text_stderr") else None
        buffer = io.StringIO()
        show(self, buffer)
        text = words(buffer.getvalue())
        if file is None:
            import sys

            file = sys.stderr
        file.write(text)
        file.flush()

    cls.show = show_zh


def _display_width(text: str) -> int:
    from wcwidth import wcswidth

    width = wcswidth(text)
    return len(text) if width < 0 else width


# a CJK character is a chunk of its own, with what is glued to it (a flag or bracket before it, the
# closing punctuation after it, which must not begin a line); any other run without spaces stays whole
_CHUNK = __import__("re").compile(
    r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]*"
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f][，。、；：！？）》」』,.;:!?)\]]*"
    r"|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")


def _install_wrapper(module) -> None:
    """Help text wrapped by display width (a Chinese character is two columns) and never inside a
    flag: `--follow-up` is not broken at its hyphen, so an example fits the terminal and stays typeable."""
    base = module.TextWrapper

    class WideTextWrapper(base):
        def __init__(self, *args, **kwargs):
            kwargs["break_on_hyphens"] = False
            super().__init__(*args, **kwargs)

        def _split(self, text):
            chunks = []
            for chunk in super()._split(text):
                if chunk.isspace() or _display_width(chunk) == len(chunk):
                    chunks.append(chunk)
                else:
                    chunks.extend(_CHUNK.findall(chunk))
            return chunks

        def _handle_long_word(self, reversed_chunks, cur_line, cur_len, width):
            space_left = max(width - cur_len, 1)
            last = reversed_chunks[-1]
            cut = 1
            while cut < len(last) and _display_width(last[:cut + 1]) <= space_left:
                cut += 1
            cur_line.append(last[:cut])
            reversed_chunks[-1] = last[cut:]

        def _wrap_chunks(self, chunks):
            lines = []
            chunks.reverse()
            while chunks:
                cur_line, cur_len = [], 0
                indent = self.subsequent_indent if lines else self.initial_indent
                width = self.width - _display_width(indent)
                if self.drop_whitespace and chunks[-1].strip() == "" and lines:
                    del chunks[-1]
                while chunks:
                    size = _display_width(chunks[-1])
                    if cur_len + size <= width:
                        cur_line.append(chunks.pop())
                        cur_len += size
                    else:
                        break
                if chunks and _display_width(chunks[-1]) > width:
                    self._handle_long_word(chunks, cur_line, cur_len, width)
                    cur_len = sum(map(_display_width, cur_line))
                if self.drop_whitespace and cur_line and cur_line[-1].strip() == "":
                    cur_len -= _display_width(cur_line[-1])
                    del cur_line[-1]
                if cur_line:
                    lines.append(indent + "".join(cur_line))
            return lines

    module.TextWrapper = WideTextWrapper
