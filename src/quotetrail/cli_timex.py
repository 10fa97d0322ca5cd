"""Commands for the temporal tagger: ``timex`` and ``eval timeml``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from .cli_eval import eval_group
from .model import Problem

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


def tag_timeml_folder(in_dir: Path, out_dir: Path, on_problem: Callable[[Problem], None] | None = None) -> int:
    """Tag every TimeML document of ``in_dir`` into ``out_dir``; returns the number of documents tagged.

    A document that cannot be read or tagged is passed to ``on_problem`` and
    skipped; the others are still tagged.
    """
    from .analyse import analyse
    from .dates import find_dates
    from .dates.timeml import Timex, read_timeml, write_timeml
    from .faults import problem_from_exception
    from .model import Article

    n = 0
    for path in sorted(in_dir.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        try:
            doc = read_timeml(path)
            article = Article(id=path.name, source=str(path), text=doc.text, published=doc.dct, language="de")
            mentions = find_dates(analyse(article))
            write_timeml(doc, [Timex(m.start, m.end, m.text, m.type, m.value) for m in mentions], out_dir / path.name)
        except Exception as err:  # one document's failure stays with that document
            if on_problem:
                on_problem(problem_from_exception(str(path), "timex", err))
            continue
        n += 1
    return n


@click.command()
@click.option("--format", "fmt", type=click.Choice(["timeml"]), default="timeml", show_default=True)
@click.argument("in_dir", type=_DIR)
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def timex(ctx: click.Context, fmt: str, in_dir: Path, out_dir: Path) -> None:
    """Tag time expressions in TimeML documents (with a DCT) and write them with TIMEX3 tags.

    A document that fails is reported and skipped; the exit status is then 3.
    """
    failed: list[Problem] = []

    def report(problem: Problem) -> None:
        failed.append(problem)
        click.echo(f"error: {problem}", err=True)

    n = tag_timeml_folder(in_dir, out_dir, on_problem=report)
    click.echo(f"tagged {n} documents into {out_dir}" + (f"; {len(failed)} failed" if failed else ""))
    if failed:
        ctx.exit(3)


def score_folders(gold_dir: Path, pred_dir: Path) -> dict[str, dict[str, float]]:
    """TempEval-3 style figures of ``pred_dir`` against ``gold_dir`` (files matched by name)."""
    from .dates.score import score
    from .dates.timeml import read_timeml

    pairs = []
    for path in sorted(gold_dir.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        gold = read_timeml(path)
        pred_path = pred_dir / path.name
        pred = list(read_timeml(pred_path).timexes) if pred_path.exists() else []
        pairs.append((list(gold.timexes), pred))
    return score(pairs)


@eval_group.command(name="timeml")
@click.argument("gold_dir", type=_DIR)
@click.option("--pred", "pred_dir", type=_DIR, required=True, help="Tagged documents to score.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_timeml(gold_dir: Path, pred_dir: Path, as_json: bool) -> None:
    """Score tagged time expressions: strict/relaxed P/R/F1, type and value accuracy, value F1."""
    figures = score_folders(gold_dir, pred_dir)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    for subset, values in figures.items():
        click.echo(f"[{subset}] gold {values['gold']}, predicted {values['predicted']}")
        click.echo(
            f"  strict   P {values['strict_p']:.3f}  R {values['strict_r']:.3f}  F1 {values['strict_f1']:.3f}\n"
            f"  relaxed  P {values['relaxed_p']:.3f}  R {values['relaxed_r']:.3f}  F1 {values['relaxed_f1']:.3f}\n"
            f"  type accuracy {values['type_accuracy']:.3f}  value accuracy {values['value_accuracy']:.3f}"
            f"  value F1 {values['value_f1']:.3f}"
        )


COMMANDS: list[click.Command] = [timex]
