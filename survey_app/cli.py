"""``zisurvey``: one command line over the app (``run``, ``db upgrade``) and the file commands."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup, with_appcontext

from survey_app import create_app
from survey_app.extensions import db
from survey_app.filecli import COMMANDS
from survey_app.services.demo import load_demo


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """Survei Zona Integritas: SKM/IKM, IPAK dan IPKP."""


for command in COMMANDS:
    main.add_command(command)


@main.command("demo")
@click.option("--if-empty", is_flag=True, help="Lewati bila basis data sudah berisi unit.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Isi basis data dengan data contoh (satu Kanwil, dua UPT, lima layanan)."""
    from flask import current_app

    added = load_demo(db.session, current_app.extensions["zisurvey.catalogue"],
                      current_app.config["CLOCK"](), only_if_empty=if_empty)
    db.session.commit()
    click.echo(f"Data contoh: {added} jawaban ditambahkan." if added else "Data contoh sudah ada.")


if __name__ == "__main__":
    main()
