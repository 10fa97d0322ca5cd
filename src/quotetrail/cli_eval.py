"""Commands that measure extraction: ``predict``, ``eval`` (a group) and ``train``.

``eval`` is a group so that each measured area adds its own subcommand
(``eval wikinews`` here, ``eval timeml`` from ``cli_timex``).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.group(name="eval")
def eval_group() -> None:
    """Score predictions against a hand-annotated corpus."""


@eval_group.command(name="wikinews")
@click.argument("gold_dir", type=_DIR)
@click.option("--pred", "pred_dir", type=_DIR, help="Predictions in the corpus format (default: predict now).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_wikinews(gold_dir: Path, pred_dir: Path | None, as_json: bool) -> None:
    """Score quotation extraction on a wikinews-quotes split (Messages, Roles, Joint; per role and type)."""
    from .evaluate.run import evaluate_corpus
    from .evaluate.score_quotes import format_report

    run = evaluate_corpus(gold_dir, pred_dir)
    report = run.scores.report()
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    click.echo(f"{run.documents} documents" + ("" if pred_dir else f", {run.documents / run.seconds:.1f} documents/s"))
    click.echo(format_report(report))


@click.command()
@click.option("--format", "fmt", type=click.Choice(["wikinews"]), default="wikinews", show_default=True)
@click.argument("gold_dir", type=_DIR)
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def predict(ctx: click.Context, fmt: str, gold_dir: Path, out_dir: Path) -> None:
    """Run the extractor on every document of GOLD_DIR and write predictions to OUT_DIR.

    A document that fails is reported and skipped; the exit status is then 3.
    """
    from .evaluate.run import predict_document
    from .evaluate.wikinews import read_document, write_prediction
    from .faults import problem_from_exception

    files = sorted(gold_dir.glob("*.json"))
    if not files:
        raise click.UsageError(f"{gold_dir}: no *.json documents of the wikinews-quotes format")
    n = failed = 0
    for path in files:
        try:
            doc = read_document(path)
            write_prediction(doc, predict_document(doc), out_dir)
        except Exception as err:  # one document's failure stays with that document
            failed += 1
            click.echo(f"error: {problem_from_exception(str(path), 'predict', err)}", err=True)
            continue
        n += 1
    click.echo(f"wrote {n} predictions to {out_dir}" + (f"; {failed} documents failed" if failed else ""))
    if failed:
        ctx.exit(3)


@click.command()
@click.argument("train_dir", type=_DIR)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Models folder, laid out as the package's (the encoder goes into its encoder/ folder); read it back "
    "with --models or QUOTETRAIL_MODELS. Default: the package's own folder.",
)
@click.option(
    "--model",
    type=click.Choice(["crf", "encoder"]),
    default="crf",
    show_default=True,
    help="The CRF taggers, or the encoder tagger (needs the 'train' extra: torch; 40 minutes on one core of a busy machine).",
)
@click.option(
    "--float32",
    is_flag=True,
    help="Encoder: train in float32 instead of bfloat16 autocast (for a CPU without bfloat16 units; other weights).",
)
def train(train_dir: Path, out_dir: Path | None, model: str, float32: bool) -> None:
    """Train the quotation tagger from a wikinews-quotes split (use the train split only)."""
    if float32 and model != "encoder":
        raise click.UsageError("--float32 applies to --model encoder only")
    if model == "encoder":
        from .model_files import package_models
        from .quotations.encoder.tagger import FOLDER
        from .quotations.encoder.training import train_encoder

        target = train_encoder(train_dir, (out_dir or package_models()) / FOLDER, log=click.echo, bf16=not float32)
        click.echo(f"model written to {target} (licence: CC BY-NC-SA 4.0, inherited from the training data)")
        return
    from .quotations.training import train_from_corpus

    target = train_from_corpus(train_dir, out_dir)
    click.echo(f"model written to {target} (licence: CC BY-NC-SA 4.0, inherited from the training data)")


COMMANDS: list[click.Command] = [eval_group, predict, train]
