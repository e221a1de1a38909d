"""`pairs`: the pairs of people a check requires, from its generators (`all_pairs`,
`ordered_pairs`, `star`, `relation`), and the tokens under which a record's checks share them.

`required_pairs` is the reference generator (render/html and authoring read it too),
`generated_pairs` the same pairs made by comprehensions; pairs.py decides the checks.
Moved out of pairs.py whole, without change, when it reached the 800-line limit; the three
helpers pairs.py calls (`generator_key`, `all_required`, `all_required_key`) were private
there and have public names here, as they cross a module boundary.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ...language.paths import key_of
from ...language.query import Selection, memoised_key, shared_key
from .pairs_usual import relation_pairs

if TYPE_CHECKING:
    from ...language.models import PairGen, PairsSpec
    from ..context import Context

Pair = tuple[str, str]


def required_pairs(ctx: Context, gen: PairGen, ordered: bool) -> Iterator[Pair]:
    def ids(sel: Selection) -> list[str]:
        return [str(key_of(v)) for v in sel.items(ctx)]

    if gen.all_pairs is not None or gen.ordered_pairs is not None:
        people = ids(gen.all_pairs or gen.ordered_pairs)  # type: ignore[arg-type]
        if gen.ordered_pairs is not None:
            yield from ((a, b) for a in people for b in people if a != b)
        else:
            for i, a in enumerate(people):
                yield from ((a, b) for b in people[i + 1 :] if a != b)
    elif gen.star is not None:
        centres = ids(gen.star.center)
        for c in centres:
            for o in ids(gen.star.others):
                if o != c:
                    yield (c, o)
    elif gen.relation is not None:
        for left in gen.relation.left.items(ctx):
            a = str(key_of(left))
            for right in gen.relation.right.values(ctx, ctx.as_object(left)):
                b = str(key_of(right))
                if a != b:
                    yield (a, b)


def pair_key(a: str, b: str, ordered: bool) -> Pair:
    return (a, b) if ordered or a <= b else (b, a)


def _generated(ctx: Context, gen: PairGen, ordered: bool) -> list[Pair]:
    """The pairs a generator makes, as keys, by the reference generator (`generated_pairs` is
    the fast path's): made once per record for checks that share it."""

    def make() -> list[Pair]:
        return [pair_key(a, b, ordered) for a, b in required_pairs(ctx, gen, ordered)]

    key = generator_key(gen, ordered)
    return make() if key is None else ctx.cached(key, make)


def generator_key(gen: PairGen, ordered: bool) -> Any:
    star, relation = gen.star, gen.relation
    return memoised_key(
        f"pairgen {ordered}",
        gen,
        lambda: shared_key(
            "pairgen",
            ordered,
            gen.all_pairs.spec if gen.all_pairs is not None else None,
            gen.ordered_pairs.spec if gen.ordered_pairs is not None else None,
            (star.center.spec, star.others.spec) if star is not None else None,
            (relation.left.spec, relation.right) if relation is not None else None,
        ),
    )


def generated_pairs(ctx: Context, gen: PairGen, ordered: bool) -> list[Pair]:
    """`required_pairs` as keys (`pair_key`), in its order, made by comprehensions: the same
    selections read in the same order, so a selection that raises raises here too.

    The generator above is the reference (tests/test_pairs_fast.py); at 200 members it made
    its 19,900 pairs one `yield` at a time."""
    if gen.all_pairs is not None or gen.ordered_pairs is not None:
        people = [str(key_of(v)) for v in (gen.all_pairs or gen.ordered_pairs).items(ctx)]  # type: ignore[union-attr]
        if gen.ordered_pairs is not None:
            if ordered:
                return [(a, b) for a in people for b in people if a != b]
            return [(a, b) if a <= b else (b, a) for a in people for b in people if a != b]
        if ordered:
            return [(a, b) for i, a in enumerate(people) for b in people[i + 1 :] if a != b]
        return [
            (a, b) if a <= b else (b, a)
            for i, a in enumerate(people)
            for b in people[i + 1 :]
            if a != b
        ]
    if gen.star is not None:
        centres = [str(key_of(v)) for v in gen.star.center.items(ctx)]
        if not centres:
            return []  # the others are never read, as by the generator
        others = [str(key_of(v)) for v in gen.star.others.items(ctx)]
        if ordered:
            return [(c, o) for c in centres for o in others if o != c]
        return [(c, o) if c <= o else (o, c) for c in centres for o in others if o != c]
    if gen.relation is not None:
        right = gen.relation.right
        if any(seg.startswith("@") for seg in right.segments):  # computed fields, @refs
            return [pair_key(a, b, ordered) for a, b in required_pairs(ctx, gen, ordered)]
        return relation_pairs(ctx, gen.relation.left.items(ctx), right.segments, ordered)
    return []


def all_required(ctx: Context, spec: PairsSpec, ordered: bool) -> dict[Pair, None]:
    """The check's required pairs, in the order first made, each once (as setdefault did, pair
    by pair): the general steps' (`_required_of` is the fast path's). Never changed."""
    required: dict[Pair, None] = {}
    for gen in spec.pairs:
        required.update(dict.fromkeys(_generated(ctx, gen, ordered)))
    return required


def all_required_key(spec: PairsSpec, ordered: bool) -> Any:
    def make_key() -> Any:
        keys = tuple(generator_key(gen, ordered) for gen in spec.pairs)
        return None if None in keys else shared_key("pairs required", ordered, keys)

    return memoised_key(f"pairs required {ordered}", spec, make_key)
