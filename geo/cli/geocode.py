"""``bordermap geocode``: place names to coordinates from the embedded gazetteer."""

from __future__ import annotations

import click

from geo.cli import options

__all__ = ["geocode"]


@click.command()
@click.argument("names", nargs=-1, required=True)
@click.option("--country", default=None, help="ISO3 code or name: only places in this country.")
@click.option("--admin1", default=None, help="Province: places in it rank first.")
@click.option(
    "--limit", type=click.IntRange(min=1), default=3, show_default=True, help="Candidates per name."
)
@options.report_format_opt
@click.pass_context
def geocode(
    ctx: click.Context,
    names: tuple[str, ...],
    country: str | None,
    admin1: str | None,
    limit: int,
    fmt: str,
) -> None:
    """Candidates for each NAME with coordinates, province, precision and score.

    Exit status 1 when some name is not found in the embedded gazetteer.
    """
    from geo.gazetteer import CANDIDATE_COLUMNS, not_found_message
    from geo.gazetteer import geocode as lookup

    found = lookup(list(names), country=country, admin1=admin1, limit=limit)
    cols = CANDIDATE_COLUMNS
    missing = [n for n in names if n not in set(found["query"])]
    if fmt == "json":
        results = []
        for name in names:
            rows = found[found["query"] == name][cols]
            results.append(
                {
                    "query": name,
                    "status": "found" if len(rows) else not_found_message(name, country=country),
                    "candidates": rows.round({"latitude": 5, "longitude": 5, "score": 1}).to_dict(
                        orient="records"
                    ),
                }
            )
        click.echo(options.dumps_json(results))
    else:
        header = (
            f"{'query':<20} {'name':<24} {'lat':>9} {'lon':>9} {'iso3':<4} "
            f"{'province':<24} {'kind':<16} {'prec':>4} {'score':>5}"
        )
        click.echo(header)
        for name in names:
            rows = found[found["query"] == name]
            if rows.empty:
                click.echo(f"{name:<20} {not_found_message(name, country=country)}")
                continue
            for rec in rows.itertuples(index=False):
                click.echo(
                    f"{name:<20} {rec.name:<24} {rec.latitude:>9.4f} {rec.longitude:>9.4f} "
                    f"{rec.iso3:<4} {(rec.admin1 or '')[:24]:<24} {rec.kind[:16]:<16} "
                    f"{rec.precision:>4} {rec.score:>5.1f}"
                )
    if missing:
        ctx.exit(1)
