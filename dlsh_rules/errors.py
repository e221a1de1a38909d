"""Input problems: what was wrong, where, what was expected and what was found."""

from __future__ import annotations

import errno
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple, TypeVar

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:  # only type checkers read it (typing has it from 3.11; typing_extensions costs an import)

    def dataclass_transform(**_: Any) -> Callable[[type], type]:
        return lambda cls: cls


Severity = Literal["error", "warning", "info"]


# --- value classes -------------------------------------------------------------------------------
# The package's small record-like classes were dataclasses. `dataclasses` generates and compiles
# each class's methods when its module is imported (and imports `inspect`, `ast`, `dis` and
# `tokenize` to do it): about a third of the package's import time on a cached `check`
# (issue 13). Each class now writes its own `__init__`, and these bases give the rest as
# `@dataclass` did: the repr `Name(field=value, ...)` over the fields not marked hidden, equality
# of the field tuple between objects of the same class, and for frozen classes the hash of that
# tuple and no assignment. tests/test_values.py compares each with the dataclass it replaces.


class FrozenInstanceError(AttributeError):
    """An assignment to a field of a frozen value (as `dataclasses.FrozenInstanceError`)."""


def _getter(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return attrgetter(*names)


class _DataclassFields:
    """``__dataclass_fields__`` of a `Value` class, made when first asked for: so that
    `dataclasses.fields`, `replace`, `asdict` and `is_dataclass` still take these objects as
    the dataclasses they were, while the check path never imports `dataclasses`."""

    def __get__(self, obj: object, cls: type[Value] | None = None) -> dict[str, Any]:
        import dataclasses

        owner: Any = type(obj) if cls is None else cls
        made: dict[str, Any] | None = owner.__dict__.get("_dataclass_fields")
        if made is None:
            # the defaults are __init__'s (a dataclass subclass needs them in order)
            defaults = getattr(owner, "_defaults", None)
            if defaults is None:
                code = owner.__init__.__code__
                names = code.co_varnames[1 : code.co_argcount]
                given = owner.__init__.__defaults__ or ()
                defaults = dict(zip(names[len(names) - len(given) :], given, strict=True))
            made = {}
            for name in owner._fields:
                f = dataclasses.field(
                    default=defaults.get(name, dataclasses.MISSING),
                    repr=name not in owner._hidden,
                    compare=name not in owner._uncompared,
                    init=name not in owner._derived,
                    kw_only=False,
                )
                f.name = name
                f._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
                made[name] = f
            owner._dataclass_fields = made
        return made


class _DataclassParams:
    """``__dataclass_params__`` of a `Value` class: what a dataclass that subclasses one asks
    of its base (whether it is frozen)."""

    def __get__(self, obj: object, cls: type[Value] | None = None) -> Any:
        from types import SimpleNamespace

        owner: Any = type(obj) if cls is None else cls
        frozen = issubclass(owner, FrozenValue)
        return SimpleNamespace(
            init=True,
            repr=True,
            eq=True,
            order="__lt__" in vars(owner),
            unsafe_hash=False,
            frozen=frozen,
            match_args=True,
            kw_only=False,
            slots="__slots__" in owner.__dict__ and bool(owner.__slots__),
            weakref_slot=False,
        )


class Value:
    """A class of named fields: its annotations, in order (base classes' first), save ClassVars.

    ``_hidden`` names the fields the repr leaves out (a dataclass's ``field(repr=False)``),
    ``_uncompared`` those equality and hash leave out (``compare=False``), ``_derived`` those
    ``__init__`` computes rather than takes (``init=False``). Not hashable, as a dataclass that
    is neither frozen nor ``eq=False``."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _hidden: ClassVar[tuple[str, ...]] = ()
    _uncompared: ClassVar[tuple[str, ...]] = ()
    _derived: ClassVar[tuple[str, ...]] = ()
    _shown: ClassVar[tuple[str, ...]] = ()
    __match_args__: ClassVar[tuple[str, ...]] = ()
    __dataclass_fields__: ClassVar[Any] = _DataclassFields()
    __dataclass_params__: ClassVar[Any] = _DataclassParams()
    _values: ClassVar[Callable[..., tuple[Any, ...]]]
    __hash__ = None  # type: ignore[assignment]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        inherited = next((b._fields for b in cls.__mro__[1:] if issubclass(b, Value)), ())
        own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 (inspect is what we avoid)
        fields = [n for n, a in own.items() if "ClassVar" not in str(a) and n not in inherited]
        cls._fields = (*inherited, *fields)
        cls._shown = tuple(n for n in cls._fields if n not in cls._hidden)
        # a staticmethod: the getter is called as self._values(self)
        compared = tuple(n for n in cls._fields if n not in cls._uncompared)
        cls._values = staticmethod(_getter(compared))
        match_args = tuple(n for n in cls._fields if n not in cls._derived)
        setattr(cls, "__match_args__", match_args)  # noqa: B010 (mypy refuses the assignment)

    def __repr__(self) -> str:
        inner = ", ".join([f"{n}={getattr(self, n)!r}" for n in self._shown])
        return f"{self.__class__.__qualname__}({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(self._values(self) == self._values(other))
        return NotImplemented


class FrozenValue(Value):
    """A `Value` whose fields are set once, by ``__init__`` (through ``__dict__``, or
    ``object.__setattr__`` with slots); hashable by its fields."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._values(self))

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


def pydantic_instance_schema(source: type[Value], handler: Any) -> Any:
    """pydantic's schema of a value class used as the type of a rule-language field (set as the
    class's ``__get_pydantic_core_schema__``): its instances as they are, which a
    ``BeforeValidator`` has made. The ``ref`` is what the dataclass's schema had: pydantic gives
    a field of a referenced schema no title of its own, so the rule schema stays as it was."""
    from pydantic_core import core_schema

    ref = f"{source.__module__}.{source.__qualname__}:{id(source)}"
    return core_schema.is_instance_schema(source, ref=ref)


@dataclass_transform(frozen_default=True)
class DeclaredValue(FrozenValue):
    """A `FrozenValue` whose ``__init__`` is that of the frozen dataclass its annotations and
    defaults declare (``name: T = default``), which type checkers read as such (PEP 681).

    For classes made where construction speed does not matter: the rule language's objects
    are made once when a pack is read from its files (and unpickled from the disk cache
    without ``__init__``). Hot classes write their own ``__init__``."""

    __slots__ = ()
    _defaults: ClassVar[dict[str, Any]] = {}
    # the rule language's models take them as field types (a `BeforeValidator` makes them)
    __get_pydantic_core_schema__ = staticmethod(pydantic_instance_schema)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._defaults = {n: cls.__dict__[n] for n in cls._fields if n in cls.__dict__}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name, names = type(self).__name__, self._fields
        if len(args) > len(names):
            raise TypeError(f"{name}() takes {len(names)} arguments but {len(args)} were given")
        given = dict(zip(names, args, strict=False))  # more args: refused above
        for key, value in kwargs.items():
            if key not in names or key in given:
                raise TypeError(f"{name}() got an unexpected or repeated argument {key!r}")
            given[key] = value
        missing = [n for n in names if n not in given and n not in self._defaults]
        if missing:
            raise TypeError(f"{name}() missing argument {missing[0]!r}")
        self.__dict__.update({n: given[n] if n in given else self._defaults[n] for n in names})


V = TypeVar("V", bound=Value)


def replace(obj: V, /, **changes: Any) -> V:
    """A copy of ``obj`` with ``changes`` (as `dataclasses.replace`: through ``__init__``)."""
    given = [n for n in obj._fields if n not in obj._derived]
    unknown = [name for name in changes if name not in given]
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {unknown[0]!r} to replace")
    return obj.__class__(**{n: changes[n] if n in changes else getattr(obj, n) for n in given})


class Text(NamedTuple):
    """A message in both languages the tool speaks; Chinese first."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    @classmethod
    def of(cls, i18n: Any) -> Text:
        """The text of a rule file's ``{zh, en}`` (a `language.I18n`, or its frozen form)."""
        return cls(i18n.zh, i18n.en)


# What a problem found: a string when it is the same in both languages (a value as the user
# wrote it, quoted), a Text when it is words.
Found = str | Text


def found_text(found: Found, lang: str) -> str:
    return found.get(lang) if isinstance(found, Text) else found


class Problem(FrozenValue):
    """One thing wrong with an input file (record, rule file, pack manifest, waiver file)."""

    file: str
    pointer: str  # JSON pointer inside the document; "" is the whole document
    expected: Text
    found: Found
    line: int | None  # 1-based, where the source text allows
    column: int | None  # 1-based
    code: str
    # What was found, in Chinese, where it is words rather than the user's own value. A
    # `Text` given as `found` is kept here and in `found` (its English), which stays a string.
    found_zh: str | None

    def __init__(
        self,
        file: str,
        pointer: str,
        expected: Text,
        found: Found,
        line: int | None = None,
        column: int | None = None,
        code: str = "invalid",
        found_zh: str | None = None,
    ) -> None:
        if isinstance(found, Text):
            found_zh = found.zh
            found = found.en
        self.__dict__.update(
            file=file,
            pointer=pointer,
            expected=expected,
            found=found,
            line=line,
            column=column,
            code=code,
            found_zh=found_zh,
        )

    def location(self) -> str:
        loc = self.file
        if self.line is not None:
            loc += f":{self.line}"
            if self.column is not None:
                loc += f":{self.column}"
        return loc

    def found_both(self) -> Found:
        """What was found, as given: for a copy of this problem at another place."""
        return (
            self.found
            if self.found_zh is None
            else Text(self.found_zh, found_text(self.found, "en"))
        )

    def found_in(self, lang: str) -> str:
        if lang != "en" and self.found_zh is not None:
            return self.found_zh
        return found_text(self.found, lang)

    def where(self, lang: str) -> str:
        """The place inside the file: its JSON pointer; in Chinese, 文件本身 for a problem with
        the file as such (missing, unreadable), which has neither pointer nor line."""
        if lang == "en":
            # English keeps `at /`, which scripts parsing the English lines rely on.
            return f"at {self.pointer or '/'}"
        if self.pointer or self.line is not None:
            return f"位置 {self.pointer or '/'}"
        return "文件本身"

    def render(self, lang: str = "zh", also: Sequence[Problem] = ()) -> str:
        """One line; ``also`` are the same problem at other places (`InputError.render`)."""
        found = self.found_in(lang)
        if lang == "en":
            line = (
                f"{self.location()}: {self.where(lang)}: expected {self.expected.en}; found {found}"
            )
        else:
            line = f"{self.location()}：{self.where(lang)}：应为{self.expected.zh}；实际为 {found}"
        if also:
            line += _elsewhere(also, lang)
        # A key or file name may hold control characters (that is often the problem itself):
        # shown, not sent to the terminal, and one problem stays one line.
        return line.translate(_SHOWN)

    def same_as(self) -> tuple[str, Text, Found, str | None, str]:
        """What makes two problems the same problem at different places."""
        return (self.file, self.expected, self.found, self.found_zh, self.code)


# How many other places of a repeated problem are listed; the rest are counted.
SHOWN_PLACES = 5


def _elsewhere(also: Sequence[Problem], lang: str) -> str:
    def place(p: Problem) -> str:
        at = f"{p.line}:{p.column}" if p.line is not None and p.column is not None else p.line
        if at is None:
            return p.pointer or "/"
        return f"{p.pointer or '/'} ({at})" if lang == "en" else f"{p.pointer or '/'}（{at}）"

    shown = [place(p) for p in also[:SHOWN_PLACES]]
    rest = len(also) - len(shown)
    total = len(also) + 1
    if lang == "en":
        more = f" and {rest} more" if rest else ""
        return f"; the same in {total} places, also at {', '.join(shown)}{more}"
    more = f"等，另有 {rest} 处" if rest else ""
    return f"；同样的问题共 {total} 处，另见 {'、'.join(shown)}{more}"


# As dlsh_rules.render.visible: C0, DEL, C1, bidirectional controls, line/paragraph separators.
_SHOWN = {
    c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"
    for c in (
        *range(0x00, 0x20),
        0x7F,
        *range(0x80, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x2028,
        0x2029,
    )
}


_NO_PROBLEMS: list[Problem] = []


class InputError(Exception, Value):
    """Raised when an input cannot be checked. Carries every problem found, not just the first."""

    problems: list[Problem]

    def __init__(self, problems: list[Problem] = _NO_PROBLEMS) -> None:
        self.problems = [] if problems is _NO_PROBLEMS else problems  # a new list each
        self.__post_init__()

    def __post_init__(self) -> None:
        # A method of its own, as the dataclass had: tests/zh_recorder.py wraps it to see
        # every InputError made.
        super().__init__(self.render("en"))

    __repr__ = Value.__repr__
    __eq__ = Value.__eq__
    __hash__ = None

    def __reduce__(self) -> tuple[type[InputError], tuple[list[Problem]]]:
        # Exceptions pickle through their args; this one is rebuilt from its problems, so it can
        # cross a process boundary in batch runs.
        return (type(self), (self.problems,))

    def render(self, lang: str = "zh") -> str:
        return "\n".join(self.lines(lang))

    def lines(self, lang: str = "zh") -> list[str]:
        """One line per problem, the same problem at many places in one line (the same wrong
        label in 12 talks is one thing to fix), in the order of their first place."""
        groups: dict[tuple[str, Text, Found, str | None, str], list[Problem]] = {}
        for p in self.problems:
            groups.setdefault(p.same_as(), []).append(p)
        return [first.render(lang, rest) for first, *rest in groups.values()]


def describe(value: object, limit: int = 60) -> str:
    """A short, quoted rendering of a found value for messages."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[: limit - 1] + "…"
        return repr(text)
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, dict):
        return "an object" if len(value) else "an empty object"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    if isinstance(value, float) and value != value:
        return "NaN"  # as JSON writes it (YAML: .nan); Python's "nan" is no word of either
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_found(value: object, limit: int = 60) -> Found:
    """`describe` for what a problem found: an object or a list is named in both languages,
    a value the user wrote is shown as written."""
    if isinstance(value, dict):
        return Text("一个对象", "an object") if value else Text("一个空对象", "an empty object")
    if isinstance(value, list):
        return Text(f"含 {len(value)} 项的列表", f"a list of {len(value)} items")
    return describe(value, limit)


# The system's error texts in Chinese, for the errors reading an input or writing a report meets
# most; others keep the system's own words (and the error's number, which a search finds).
_STRERROR_ZH = {
    errno.ENOENT: "没有这个文件或目录",
    errno.EACCES: "没有读写权限",
    errno.EPERM: "不允许的操作",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.ENOTDIR: "路径中的某一级不是目录",
    errno.ENAMETOOLONG: "文件名太长",
    errno.ELOOP: "符号链接的层数太多",
    errno.ENOSPC: "设备上没有空间",
    errno.EIO: "输入/输出错误",
    errno.EROFS: "只读文件系统",
    errno.EFBIG: "文件过大",
    errno.ENXIO: "没有那个设备或地址",
    errno.EBUSY: "设备或资源忙",
    errno.EMFILE: "打开的文件太多",
    errno.EINVAL: "无效的参数",
}


def os_error_text(exc: OSError) -> Text:
    """An OS error's text in both languages."""
    en = exc.strerror or type(exc).__name__
    zh = _STRERROR_ZH.get(exc.errno) if exc.errno is not None else None
    if zh is None:
        zh = f"系统错误 {exc.errno}" if exc.errno else "系统错误"
    return Text(zh, en)


# What a validator's error type asks for, shared by the record and waiver file messages (the
# error types are pydantic's; the texts are what users read).
EXPECTED_BY_TYPE: dict[str, Text] = {
    "missing": Text("必填字段", "a required field"),
    "string_type": Text("字符串", "a string"),
    "list_type": Text("列表", "a list"),
    "model_type": Text("对象（键值映射）", "an object (mapping)"),
    "dict_type": Text("对象（键值映射）", "an object (mapping)"),
    "model_attributes_type": Text("对象（键值映射）", "an object (mapping)"),
    "date_format": Text(
        "真实存在的日期，格式为 YYYY-MM-DD", "a real calendar date written YYYY-MM-DD"
    ),
    "date_type": Text("不含时间的日期，格式为 YYYY-MM-DD", "a date without time, YYYY-MM-DD"),
}
