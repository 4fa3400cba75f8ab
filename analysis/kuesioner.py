"""Scoring answers given under a unit's questionnaire variant (issue 22, docs/kuesioner.md §4).

Sub-questions: an item split into k sub-questions is answered in k parts, each stored under the
code ``<item>.<j>/<k>`` (``U3.1/2``, ``U3.2/2``). A respondent's value for the item is the mean
of his k sub-answers (an exact fraction); the item's NRR is the mean of those values over the
respondents, so with every part required it equals the pooled sum of the parts over n x k.

Left-out items have no answers: the index is the mean over the items present (weights 1/k, k
the number of items present), which :class:`analysis.scoring.IndexResult` already does.

Pooling across versions is by item code: plain answers and groups of parts of every k add up in
:func:`item_totals`, exactly.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from fractions import Fraction

import pandas as pd

from analysis.exact import round_half_up
from analysis.scoring import IndexResult, score, score_totals

_PART = re.compile(r"^([A-Z]{1,3}[0-9]{1,2})\.([1-9])/([2-9])$")


def sub_code(code: str, part: int, parts: int) -> str:
    """The stored code of part ``part`` of ``parts`` of item ``code``: ``sub_code("U3", 1, 2)``
    is ``"U3.1/2"`` (at most 8 characters, the width of ``answer.item_code``)."""
    if not 2 <= parts <= 9 or not 1 <= part <= parts:
        raise ValueError(f"part {part} of {parts} is not a sub-question (2-9 parts)")
    return f"{code}.{part}/{parts}"


def split_code(stored: str) -> tuple[str, int, int]:
    """(item code, part, parts) of a stored code; a plain item is part 1 of 1."""
    found = _PART.match(stored)
    if found is None:
        return stored, 1, 1
    return found.group(1), int(found.group(2)), int(found.group(3))


def respondent_value(answers: Sequence[int]) -> Fraction:
    """A respondent's value for an item: the mean of his sub-answers (one answer: itself)."""
    if not answers:
        raise ValueError("an item's value needs at least one answer")
    return Fraction(sum(answers), len(answers))


def item_totals(tallies: Mapping[str, tuple[int, int]]) -> dict[str, tuple[int, Fraction]]:
    """Per item code, the respondents who answered it and the exact sum of their values.

    Parameters
    ----------
    tallies
        Stored code (``U3`` or ``U3.1/2``) -> (answers, sum of the answers on the instrument's
        scale), as the monthly rollup or a GROUP BY gives them.

    Returns
    -------
    dict
        Item code -> (n, total) with n = n₀ + Σ_k n_k and total = S₀ + Σ_k S_k / k
        (docs/kuesioner.md §4): S_k sums all k parts of the respondents who answered in k parts.

    Raises
    ------
    ValueError
        When the parts of one group were answered by different numbers of respondents (every
        part is required, so they cannot differ).
    """
    plain: dict[str, list[int]] = {}
    groups: dict[tuple[str, int], dict[int, tuple[int, int]]] = {}
    for stored, (n, total) in tallies.items():
        code, part, parts = split_code(stored)
        if parts == 1:
            cell = plain.setdefault(code, [0, 0])
            cell[0] += n
            cell[1] += total
        else:
            groups.setdefault((code, parts), {})[part] = (n, total)
    out = {code: (n, Fraction(total)) for code, (n, total) in plain.items()}
    for (code, parts), found in sorted(groups.items()):
        counts = {found.get(j, (0, 0))[0] for j in range(1, parts + 1)}
        if len(counts) != 1:
            raise ValueError(
                f"item {code}: its {parts} sub-questions were answered by different numbers "
                f"of respondents ({', '.join(str(c) for c in sorted(counts))})"
            )
        n = counts.pop()
        values = Fraction(sum(t for _, t in found.values()), parts)
        before = out.get(code, (0, Fraction(0)))
        out[code] = (before[0] + n, before[1] + values)
    return out


def score_answers(
    respondents: Iterable[Mapping[str, int]], items: Sequence[str], scale: int = 4
) -> IndexResult:
    """Score one instrument from each respondent's answers by stored code.

    Parameters
    ----------
    respondents
        One mapping per respondent: stored code (``U1``, ``U3.1/2``, ...) -> answer 1..scale.
        Codes of other instruments are ignored.
    items
        The instrument's item codes (the base's, in order; a left-out item simply has no
        answers).
    scale
        The instrument's number of answer points.

    Returns
    -------
    IndexResult
        As :func:`analysis.scoring.score_totals`; ``n`` counts respondents who answered at
        least one item of ``items``.
    """
    wanted = set(items)
    tallies: dict[str, tuple[int, int]] = {}
    n = 0
    for answers in respondents:
        mine = {k: v for k, v in answers.items() if split_code(k)[0] in wanted}
        for stored, value in mine.items():
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= scale:
                raise ValueError(f"{stored}: value {value!r} is outside 1-{scale}")
            count, total = tallies.get(stored, (0, 0))
            tallies[stored] = (count + 1, total + value)
        n += bool(mine)
    return score_totals(items, item_totals(tallies), n, scale)


def is_part(column: object, items: Collection[str]) -> bool:
    """True for a sub-question's column name (``U3.1/2``: part j of k, 1 <= j <= k) of one of
    the item codes ``items``."""
    code, part, parts = split_code(str(column))
    return parts > 1 and part <= parts and code in items


def part_codes(columns: Iterable[object], items: Sequence[str]) -> list[str]:
    """The sub-question columns (``U3.1/2`` ...) among ``columns`` of the items ``items``."""
    wanted = set(items)
    return [str(c) for c in columns if is_part(c, wanted)]


def score_frame(frame: pd.DataFrame, items: Sequence[str], scale: int = 4) -> IndexResult:
    """Score one instrument over the rows of ``frame``, items answered in sub-questions pooled
    exactly (docs/kuesioner.md §4), as the dashboard pools the stored answers.

    Parameters
    ----------
    frame
        One row per respondent (as :func:`analysis.responses.read_responses` gives it): the
        columns ``items`` hold plain answers, columns ``<item>.<j>/<k>`` the parts of an item
        answered in sub-questions (the item's own cell blank on such a row); whole numbers
        1..scale or NaN.
    items
        The item codes of the instrument, in its order.

    Returns
    -------
    IndexResult
        ``n`` counts the respondents who answered at least one item or part; without part
        columns, exactly :func:`analysis.scoring.score`.

    Raises
    ------
    ValueError
        A value that is not a whole number in 1..scale, or parts of one group answered by
        different numbers of respondents.
    """
    parts = part_codes(frame.columns, items)
    if not parts:
        return score(frame, items, scale)
    columns = [c for c in items if c in frame.columns] + parts
    values = frame[columns].apply(pd.to_numeric, errors="coerce").astype("float64")
    given = values.notna()
    if (given & ((values % 1 != 0) | (values < 1) | (values > scale))).any().any():
        raise ValueError(f"answers must be whole numbers in 1-{scale}")
    tallies = {
        c: (int(given[c].sum()), int(values[c].sum(skipna=True))) for c in columns if given[c].any()
    }
    n = int(given.any(axis=1).sum())
    return score_totals(items, item_totals(tallies), n, scale)


def value_text(value: Fraction) -> str:
    """An item's value for a file: a whole number as it is, a mean of sub-answers half-up to 4
    places without trailing zeros (7/2 is ``3.5``, 13/4 ``3.25``, 7/3 ``2.3333``)."""
    if value.denominator == 1:
        return str(value.numerator)
    return str(round_half_up(value, 4)).rstrip("0").rstrip(".")
