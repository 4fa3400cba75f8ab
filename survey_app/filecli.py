"""The file commands of INTERCHANGE.md: score, compliance, assess, sample-size.

They read files only (no database, no server), print JSON on ``--json`` and an Indonesian table
otherwise, and on bad input print one line per problem to stderr and exit with status 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    import pandas as pd

    from analysis.mapping import ColumnMapping

# Everything past click is imported inside the command that needs it: pandas, scipy and the
# readers for the commands that read files, the instrument catalogue (YAML) where instruments
# are named, so `score --help` and `sample-size` start in a fraction of a second (issue 20).

F = TypeVar("F", bound=Callable[..., Any])


def fail(problems: Iterable[str]) -> NoReturn:
    for problem in problems:
        click.echo(problem, err=True)
    sys.exit(2)


def bad_input_exits_2(command: F) -> F:
    """Turn every ValueError (ResponsesError, LkeInputError, ...) into exit 2 with its lines."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ValueError as exc:
            fail(getattr(exc, "problems", None) or str(exc).splitlines())

    return run  # type: ignore[return-value]


def emit(as_json: bool, payload: dict[str, Any], table: Callable[[], str]) -> None:
    click.echo(json.dumps(payload, ensure_ascii=False) if as_json else table())


def ignored(values: tuple[str, ...]) -> list[str]:
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def strict_loader() -> type:
    """YAML's safe loader, refusing a key written twice (it would silently keep the last)."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            keys = [self.construct_object(key, deep=deep) for key, _value in node.value]
            twice = sorted({str(k) for k in keys if keys.count(k) > 1})
            if twice:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {', '.join(twice)} is written twice", node.start_mark
                )
            return super().construct_mapping(node, deep=deep)

    return StrictLoader


def load_mapping(path: str | None) -> ColumnMapping | None:
    """The mapping file at ``path`` (YAML, INTERCHANGE.md), checked; None without one."""
    if not path:
        return None
    import yaml

    from analysis.mapping import MappingError, parse_mapping
    from analysis.responses import META
    from survey_app.services.catalogue import load_catalogue

    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8-sig"), Loader=strict_loader())  # noqa: S506
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MappingError(
            [f"mapping: {path} is not valid YAML ({exc})".replace("\n", " ")]
        ) from exc
    schema = load_catalogue().schema()
    return parse_mapping(data, [*META, *schema.item_scales], schema.item_scales)


def _responses(
    path: str,
    tz: str,
    ignore: tuple[str, ...],
    mapping: str | None = None,
    waktu: str | None = None,
    encoding: str | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    from analysis.periods import zone_name
    from analysis.responses import read_responses
    from survey_app.services.catalogue import load_catalogue

    return read_responses(
        Path(path),
        load_catalogue().schema(),
        tz=zone_name(tz),
        ignore=ignored(ignore),
        mapping=load_mapping(mapping),
        waktu=waktu,
        encoding=encoding,
        **kwargs,
    )


FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False))
IGNORE = click.option(
    "--ignore", multiple=True, metavar="COL[,COL]", help="Kolom tambahan yang dilewati."
)
TZ = click.option(
    "--tz",
    default="Asia/Jakarta",
    show_default=True,
    help="Zona waktu unit untuk stempel waktu tanpa offset: WIB, WITA, WIT atau nama IANA.",
)
MAPPING = click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False),
    help="Berkas pemetaan (YAML) untuk ekspor Google Forms/Excel.",
)
WAKTU = click.option(
    "--waktu",
    metavar="FORMAT",
    help="Format stempel waktu: iso (bawaan), dmy, mdy, gforms, atau pola strptime.",
)
ENCODING = click.option(
    "--encoding", metavar="NAMA", help="Encoding berkas CSV bila bukan UTF-8 (mis. cp1252)."
)


def reading_options(command: F) -> F:
    """--tz, --mapping, --waktu, --encoding and --ignore: how a responses file is read."""
    for option in (IGNORE, ENCODING, WAKTU, MAPPING, TZ):
        command = option(command)
    return command


JSON = click.option("--json", "as_json", is_flag=True, help="Keluaran JSON.")


@click.command("score")
@FILE
@click.option("--instrument", required=True, type=click.Choice(["skm", "ipak", "ipkp"]))
@click.option("--layanan", metavar="KODE")
@click.option("--period", metavar="YYYY-MM", help="Bulan, atau 2026-T1, 2026-S1, 2026.")
@reading_options
@JSON
@click.option(
    "--stats", is_flag=True, help="Interval kepercayaan 95%, alfa Cronbach, korelasi item-total."
)
@bad_input_exits_2
def score_command(
    file: str,
    instrument: str,
    layanan: str | None,
    period: str | None,
    tz: str,
    mapping: str | None,
    waktu: str | None,
    encoding: str | None,
    ignore: tuple[str, ...],
    as_json: bool,
    stats: bool,
) -> None:
    """Hitung IKM, IPAK atau IPKP dari berkas jawaban."""
    from analysis.kuesioner import score_frame
    from analysis.periods import period_kind, span_labels
    from survey_app.services.catalogue import load_catalogue
    from survey_app.textout import score_table

    kind = period_kind(period) if period else None
    definition = load_catalogue().instruments[instrument]
    frame = _responses(file, tz, ignore, mapping, waktu, encoding)
    missing = [code for code in definition.codes if code not in frame.columns]
    if missing:
        fail([f"column {code}: required for instrument {instrument}" for code in missing])
    if layanan:  # codes are compared trimmed and ignoring case (INTERCHANGE.md)
        frame = frame[frame["layanan"].str.casefold() == layanan.strip().casefold()]
    if period and kind:
        frame = frame[span_labels(frame["period"], kind) == period]
    # sub-question columns (U3.1/2 ...) pooled into their item as the dashboard does
    result = score_frame(frame, definition.codes, definition.scale)
    payload = result.as_dict(instrument)
    if stats:
        from analysis.stats import reliability  # scipy: only when asked

        payload["stats"] = reliability(frame, definition.codes, definition.scale).as_dict()
    emit(as_json, payload, lambda: score_table(definition, result, payload.get("stats")))


@click.command("compliance")
@FILE
@click.option(
    "--services",
    "services_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Berkas layanan (CSV).",
)
@click.option("--period", required=True, metavar="YYYY-MM")
@reading_options
@JSON
@bad_input_exits_2
def compliance_command(
    file: str,
    services_file: str,
    period: str,
    tz: str,
    mapping: str | None,
    waktu: str | None,
    encoding: str | None,
    ignore: tuple[str, ...],
    as_json: bool,
) -> None:
    """Periksa jumlah minimal responden per layanan dalam satu bulan."""
    from analysis import sample
    from analysis.periods import check_month
    from analysis.responses import read_services
    from survey_app.textout import compliance_table

    check_month(period)
    services = read_services(Path(services_file))
    frame = _responses(
        file, tz, ignore, mapping, waktu, encoding, known_layanan=set(services["kode"])
    )
    counts = frame.loc[frame["period"] == period, "layanan"].value_counts().to_dict()
    rows = [(r.kode, bool(r.kebutuhan_utama), None) for r in services.itertuples()]
    result = sample.compliance(period, rows, counts)
    emit(as_json, result.as_dict(), lambda: compliance_table(result))


ASSESS_FIELDS = {"profile", "pengungkit", "ipak", "ipkp", "capaian_kinerja", "tlhp", "predikat_wbk"}


@click.command("assess")
@click.argument("lke_file", metavar="LKE.json", type=click.Path(exists=True, dir_okay=False))
@click.option("--profile", "profile_name", help="Profil penilaian (menimpa isi berkas).")
@JSON
@bad_input_exits_2
def assess_command(lke_file: str, profile_name: str | None, as_json: bool) -> None:
    """Nilai LKE dan syarat WBK/WBBM dari indeks survei dan nilai pengungkit."""
    from analysis import lke
    from survey_app.textout import assessment_table

    try:
        data = json.loads(Path(lke_file).read_text(encoding="utf-8"), parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        fail([f"{lke_file}: not valid JSON ({exc})"])
    if not isinstance(data, dict):
        fail([f"{lke_file}: expected a JSON object"])
    problems = [f"{key}: unknown field" for key in data if key not in ASSESS_FIELDS]
    profile = lke.load_profile(profile_name or data.get("profile") or lke.DEFAULT_PROFILE)
    hasil_keys = {c.key for c in profile.hasil}
    problems += [
        f"{key}: not part of profile {profile.name}"
        for key in ("ipak", "ipkp", "capaian_kinerja", "tlhp")
        if key not in hasil_keys and data.get(key) is not None
    ]
    pengungkit = data.get("pengungkit")
    if not isinstance(pengungkit, dict):
        problems.append("pengungkit: an object of area scores is required")
    if problems:
        fail(problems)
    predikat_wbk = data.get("predikat_wbk") or False
    if not isinstance(predikat_wbk, bool):
        fail(["predikat_wbk: must be true or false"])
    result = lke.assess(profile, pengungkit, {k: data.get(k) for k in hasil_keys}, predikat_wbk)
    emit(as_json, result.as_dict(), lambda: assessment_table(result))


@click.command("sample-size")
@click.argument("population", metavar="N", type=int)
@JSON
@bad_input_exits_2
def sample_size_command(population: int, as_json: bool) -> None:
    """Besar sampel Krejcie-Morgan untuk populasi N."""
    from analysis import sample

    n = sample.krejcie_morgan(population)
    emit(as_json, {"N": population, "n": n}, lambda: str(n))


@click.command("mapping")
@FILE
@click.option(
    "--instrument",
    "instrument_ids",
    multiple=True,
    required=True,
    type=click.Choice(["skm", "ipak", "ipkp"]),
    help="Instrumen yang ada di berkas (boleh lebih dari satu).",
)
@click.option("--baris-judul", type=int, help="Baris judul kolom (1 = baris pertama).")
@ENCODING
@bad_input_exits_2
def mapping_command(
    file: str, instrument_ids: tuple[str, ...], baris_judul: int | None, encoding: str | None
) -> None:
    """Usulkan berkas pemetaan (YAML) untuk diperiksa orang; tidak pernah dipakai sendiri."""
    from analysis.tables import read_table
    from survey_app.services.catalogue import load_catalogue
    from survey_app.textout import proposal_yaml

    catalogue = load_catalogue()
    instruments = [catalogue.instruments[i] for i in instrument_ids]
    table = read_table(Path(file), encoding=encoding, header_row=baris_judul, dtype=str)
    click.echo(proposal_yaml(table, instruments, catalogue.profile, file))


COMMANDS = (
    score_command,
    compliance_command,
    mapping_command,
    assess_command,
    sample_size_command,
)


files = click.Group("zisurvey", commands=list(COMMANDS), help="Perintah berkas zisurvey.")
