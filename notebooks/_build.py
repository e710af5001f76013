"""Write the tutorial notebooks from the cells below and execute them: ``python notebooks/_build.py``.

The notebooks are generated so they stay reproducible and reviewable: edit this file, not the .ipynb.
They are stored executed (outputs and inline figures), so they read on a code host without running;
``--no-execute`` writes the cells only.  Each notebook finds the bundled corpus relative to itself, so it
runs from the repository root or from ``notebooks/``; plots use matplotlib (inline in Jupyter, Agg when
run headless by the tests).
"""
from __future__ import annotations

from pathlib import Path

import os
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
from pathlib import Path
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

import kompasstext as kt

warnings.simplefilter("ignore", kt.ParseWarning)  # reader diagnostics: see corpus.diagnostics
# the bundled corpus, found from the repository root or from notebooks/
ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "corpora" / "kommunkompassen").is_dir())
CORPUS = ROOT / "corpora" / "kommunkompassen"
pd.set_option("display.max_colwidth", 90)'''

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "01_quickstart.ipynb": [
        ("md", "# kompasstext: snabbstart\n\nLäs Kommunkompassen-rapporterna, titta på fynden (styrkor och "
               "förbättringsmöjligheter) och poängen som DataFrames, och rita ett första diagram."),
        ("code", SETUP),
        ("code", 'corpus = kt.read_corpus(CORPUS)\ncorpus'),
        ("code", 'print(repr(corpus))\ncorpus[0]'),
        ("md", "## Fynden\n\nEn rad per styrka eller förbättringsmöjlighet, med källhänvisning "
               "(`source`, `start`/`end` = teckenposition i källtexten, `page`)."),
        ("code", 'findings = corpus.findings\nfindings[["municipality", "year", "area", "kind", "text"]].head(10)'),
        ("code", 'findings.pivot_table(index="municipality", columns="kind", values="text", aggfunc="count")'),
        ("md", "## Poängen\n\nEn rad per poängsatt delfråga."),
        ("code", 'scores = corpus.scores\nscores[["municipality", "area", "subquestion", "subquestion_text", '
                 '"achieved", "max"]].head(10)'),
        ("code", 'areas = corpus.areas.pivot_table(index="municipality", columns="area", values="score")\nareas'),
        ("md", "## Ett diagram: områdespoäng per kommun"),
        ("code", 'ax = areas.T.plot(kind="bar", figsize=(9, 4), rot=0)\nax.set_xlabel("Område")\n'
                 'ax.set_ylabel("Poäng (av 100)")\nax.set_title("Poäng per område")\nplt.tight_layout()\nplt.show()'),
        ("md", "## Var en finding kommer ifrån\n\n`report.text[start:end]` är fyndets råtext i källfilen."),
        ("code", 'f = findings.iloc[0]\nreport = corpus[f["report_id"]]\nreport.text[int(f["start"]):int(f["end"])]'),
    ],
    "02_themes.ipynb": [
        ("md", "# Teman som återkommer mellan kommuner\n\nAnpassa en `ThemeModel`, granska temana, slå ihop och "
               "döp om, spara och läs in. Modellen anpassas på `corpus.linked_findings`: fynden med sina kopplade "
               "delfrågor, vars begrepp (samma fråga i ramverkets olika versioner) är en av likhetens delar."),
        ("code", SETUP),
        ("code", 'corpus = kt.read_corpus(CORPUS)\nmodel = kt.ThemeModel().fit(corpus.linked_findings)\n'
                 'themes = model.themes_\nthemes[["theme_id", "label", "n_findings", "n_municipalities", '
                 '"n_strengths", "n_improvements"]].head(15)'),
        ("md", "Modellen är en scikit-learn-estimator (`get_params`, `set_params`, `clone`); anpassad visar den "
               "en sammanfattning."),
        ("code", 'model'),
        ("md", "## Granska ett tema\n\nNyckelfraser, representativa fynd och alla fynd i temat."),
        ("code", 'top = themes.sort_values(["n_municipalities", "n_findings"], ascending=False).iloc[0]\n'
                 'print(top["label"], "|", ", ".join(top["keyphrases"]))\npd.DataFrame(top["representatives"])'),
        ("code", 'frame = model.transform_frame()\n'
                 'frame.loc[frame["theme"] == top["theme_id"], ["municipality", "kind", "text"]]'),
        ("code", 'print(f"{(frame.theme < 0).sum()} av {len(frame)} fynd utan tema")\n'
                 'frame.loc[frame["theme"] < 0, ["municipality", "text", "reason"]].head()'),
        ("md", "## Styra temana: slå ihop och döp om"),
        ("code", 'a, b = themes["theme_id"].iloc[:2]\nkept = model.merge([a, b], label="Sammanslaget tema")\n'
                 'model.rename(kept, "Sammanslaget tema (omdöpt)")\n'
                 'model.themes_.loc[model.themes_.theme_id == kept, ["theme_id", "label", "n_findings"]]'),
        ("md", "## Spara och läs in\n\nModellen sparas som JSON + .npy (ingen pickle) och kan ges till "
               "`kt.report(..., themes=katalog)` eller `kompasstext report --themes katalog`."),
        ("code", 'import tempfile\n\nsaved = model.save(Path(tempfile.mkdtemp()) / "themes-model")\n'
                 'loaded = kt.ThemeModel.load(saved)\n'
                 'assert (loaded.predict(corpus.linked_findings) == model.predict(corpus.linked_findings)).all()\n'
                 'loaded.themes_[["theme_id", "label"]].head()'),
        ("md", "## Temanas storlek"),
        ("code", 't = model.themes_.sort_values("n_findings").tail(15)\n'
                 'fig, ax = plt.subplots(figsize=(8, 5))\n'
                 'ax.barh(t["label"].str.slice(0, 40), t["n_strengths"], label="styrkor", color="#2b6cb0")\n'
                 'ax.barh(t["label"].str.slice(0, 40), t["n_improvements"], left=t["n_strengths"], '
                 'label="förbättringsmöjligheter", color="#c05621")\n'
                 'ax.set_xlabel("fynd")\nax.legend()\nplt.tight_layout()\nplt.show()'),
        ("md", "## Som i BERTopic\n\nNyckelfraser per tema, en karta över temana (2-D av temanas centroider), "
               "temahierarkin, teman per ramverksversion och fynd utan tema flyttade till sitt närmaste tema. "
               "Figurerna är matplotlib-objekt (`fig.savefig(...)`)."),
        ("code", 'fig = model.visualize_barchart(top_n_themes=8)'),
        ("code", 'fig = model.visualize_themes()'),
        ("code", 'fig = model.visualize_hierarchy()'),
        ("code", 'model.themes_over_time(by="framework").sort_values("n_findings", ascending=False).head(8)'),
        ("code", 'fig = model.visualize_over_time(by="framework")'),
        ("code", 'reduced = model.set_params(fence=0.0).fit(corpus.linked_findings).reduce_outliers()\n'
                 'print((reduced["theme"] < 0).sum(), "utan tema ->", (reduced["new_theme"] < 0).sum())'),
    ],
    "03_themes_and_scores.ipynb": [
        ("md", "# Teman och poäng\n\nKoppla fynden till delfrågor, jämför poängen där ett tema är en styrka "
               "med där det är en förbättringsmöjlighet, och bygg ramverksmatrisen kommun × tema."),
        ("code", SETUP + "\nfrom kompasstext.links import concept_map, framework_matrix, score_links, "
                         "theme_crosstab"),
        ("code", 'corpus = kt.read_corpus(CORPUS)\nmodel = kt.ThemeModel().fit(corpus.linked_findings)\n'
                 'links = kt.link_findings(corpus)\n'
                 'links[["municipality", "text", "subquestion", "subquestion_text", "link_confidence", '
                 '"percent"]].head()'),
        ("md", "Delfrågornas numrering skiljer sig mellan ramverken 2010, 2015 och 2020; **begreppskartan** "
               "binder ihop dem."),
        ("code", 'concept_map()[["concept_id", "label", "id_2010", "id_2015", "id_2020"]].head(8)'),
        ("md", "## Fynd med tema och koppling"),
        ("code", 'keys = ["report_id", "area", "kind", "finding_index"]\n'
                 'themed = model.transform_frame()[keys + ["theme", "theme_label"]]\n'
                 'fw = links.merge(themed, on=keys)\n'
                 'fw[["municipality", "kind", "theme_label", "subquestion", "concept", "percent"]].head()'),
        ("md", "## Poäng efter temats förekomst\n\nFör varje tema × delfråga: medelpoäng där temat är en styrka, "
               "en förbättringsmöjlighet, båda eller saknas (med antal rapporter per grupp). Med fyra rapporter "
               "är siffrorna beskrivande."),
        ("code", 'sl = score_links(fw, corpus.scores)\n'
                 'sl[["theme_label", "concept_label", "n_strength", "n_improvement", "n_none", "mean_strength", '
                 '"mean_improvement", "difference", "note"]].head(10)'),
        ("md", "## Ramverksmatrisen"),
        ("code", 'matrix = framework_matrix(fw)\nmatrix.iloc[:, :12]'),
        ("code", 'import numpy as np\n\ncodes = matrix.replace({"": 0, "S": 1, "I": 2, "S+I": 3}).astype(int)\n'
                 'cmap = matplotlib.colors.ListedColormap(["#f4f5f7", "#2b6cb0", "#c05621", "#6b46c1"])\n'
                 'fig, ax = plt.subplots(figsize=(12, 2.5))\n'
                 'ax.imshow(codes.to_numpy(), cmap=cmap, vmin=0, vmax=3, aspect="auto")\n'
                 'ax.set_yticks(range(len(codes.index)), codes.index)\nax.set_xlabel("tema")\n'
                 'ax.set_title("blå = styrka, orange = förbättringsmöjlighet, lila = båda")\n'
                 'plt.tight_layout()\nplt.show()'),
        ("code", 'theme_crosstab(fw, by="kind").head()'),
        ("md", "## Hela rapporten\n\nSamma pipeline som `kompasstext report`, som tabeller:"),
        ("code", 'import tempfile\n\nout = Path(tempfile.mkdtemp())\n'
                 'data = kt.report(corpus, out=out / "themes.html", xlsx=out / "themes.xlsx", themes=model)\n'
                 'data.paths, data.distribution.head()'),
    ],
    "04_good_examples.ipynb": [
        ("md", "# Goda exempel\n\nVem gör det bra? Sök bland andra kommuners styrkor, per fråga, per tema och "
               "för en kommuns förbättringsmöjligheter."),
        ("code", SETUP),
        ("code", 'corpus = kt.read_corpus(CORPUS)\n'
                 'ex = kt.examples(corpus, query="Utveckla resultatorienterade chefskontrakt", top=5)\n'
                 'ex[["municipality", "finding", "percent", "praise_cue", "citation"]]'),
        ("md", "## Per tema"),
        ("code", 'model = kt.ThemeModel().fit(corpus.linked_findings)\n'
                 'theme = model.themes_.sort_values("n_municipalities", ascending=False).iloc[0]\n'
                 'print(theme["label"])\n'
                 'kt.examples(corpus, query=int(theme["theme_id"]), theme=int(theme["theme_id"]), themes=model, '
                 'top=3)[["municipality", "finding", "citation"]]'),
        ("md", "## För en kommuns förbättringsmöjligheter"),
        ("code", 'who = kt.examples_for(corpus, "Norrtälje", top=2)\n'
                 'who[["improvement", "municipality", "finding", "citation"]].head(8)'),
        ("md", "## Utvärderarnas beröm\n\nMeningar där utvärderarna lyfter fram något som gott exempel."),
        ("code", 'from kompasstext.exemplars import praise\n\npr = praise(corpus)\npr.head()'),
        ("code", 'counts = pr.groupby("municipality").size()\nax = counts.plot(kind="bar", rot=0, figsize=(6, 3))\n'
                 'ax.set_ylabel("omnämnanden")\nax.set_title("Beröm per kommun")\nplt.tight_layout()\nplt.show()'),
    ],
}


def execute(nb, cwd: Path) -> None:
    """Run ``nb`` in place with this interpreter's kernel (inline figures), from ``cwd``."""
    import nbclient
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    km.kernel_spec.argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    os.environ.pop("MPLBACKEND", None)
    nbclient.NotebookClient(nb, timeout=900, kernel_name="python3", km=km, record_timing=False,
                            resources={"metadata": {"path": str(cwd)}}).execute()


def build(out_dir: Path = HERE, run: bool = True) -> list[Path]:
    paths = []
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(cells=[new_markdown_cell(src) if kind == "md" else new_code_cell(src)
                                 for kind, src in cells])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        for i, cell in enumerate(nb.cells):  # stable ids: the files only change when the cells do
            cell["id"] = f"{name.split('_')[0]}-{i:02d}"
        path = out_dir / name
        if run:
            execute(nb, out_dir)
            nb.metadata.pop("widgets", None)
        nbformat.validate(nb)
        path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in build(run="--no-execute" not in sys.argv[1:]):
        print(p)
