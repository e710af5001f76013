"""The list segmenter as a spaCy component.

>>> import spacy
>>> nlp = spacy.blank("sv")
>>> _ = nlp.add_pipe("kompass_list_segmenter")   # registered through the spacy_factories entry point
>>> doc = nlp("Tydlig vision Utveckla rutiner för uppföljning")
>>> [span.text for span in doc.spans["items"]]
['Tydlig vision', 'Utveckla rutiner för uppföljning']
>>> [round(c, 2) > 0.5 for c in doc.spans["items"].attrs["confidence"]]
[True, True]

The component marks each item's first token as a sentence start (so ``doc.sents`` are the items),
stores the items in ``doc.spans["items"]`` and each item's boundary confidence in
``doc.spans["items"].attrs["confidence"]``.  ``nlp.to_disk`` saves the boundary weights with the
pipeline, so a saved pipeline loads in a new process with ``spacy.load(path)``.
"""
from __future__ import annotations

import json
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from .boundary import BoundaryModel, _load_cached, decode
from .features import NameEvidence

_WEIGHTS_FILE = "boundary_model.json"


class ListSegmenter:
    def __init__(self, nlp: Language, name: str, weights: str | None = None, spans_key: str = "items"):
        self.name = name
        self.model = BoundaryModel.load(weights)
        self.spans_key = spans_key
        self.names = NameEvidence("")

    def __repr__(self) -> str:
        return f"ListSegmenter(name={self.name!r}, spans_key={self.spans_key!r}, {self.model!r})"

    def set_context(self, text: str) -> None:
        """Give the report's prose as evidence of which capitalised words are names."""
        self.names = NameEvidence(text)

    def __call__(self, doc: Doc) -> Doc:
        seg = decode(doc.text, model=self.model, names=self.names)
        conf = seg.item_confidence()
        cuts = set(seg.cuts())
        starts = [0]
        for tok in doc[1:]:
            is_start = tok.idx in cuts
            tok.is_sent_start = is_start
            if is_start:
                starts.append(tok.i)
        if len(doc):
            doc[0].is_sent_start = True
        ends = starts[1:] + [len(doc)]
        doc.spans[self.spans_key] = [doc[s:e] for s, e in zip(starts, ends) if e > s]
        doc.spans[self.spans_key].attrs["confidence"] = conf[: len(doc.spans[self.spans_key])]
        return doc

    # -- serialisation: the weights travel with the pipeline ---------------------------------------
    def to_disk(self, path: str | Path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.model.save(path / _WEIGHTS_FILE)
        (path / "cfg.json").write_text(json.dumps({"spans_key": self.spans_key}), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude=tuple()) -> "ListSegmenter":
        path = Path(path)
        self.model = _load_cached(str((path / _WEIGHTS_FILE).resolve()))
        cfg = path / "cfg.json"
        if cfg.exists():
            self.spans_key = json.loads(cfg.read_text(encoding="utf-8")).get("spans_key", self.spans_key)
        return self

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        data = {"weights": self.model.weights, "threshold": self.model.threshold, "meta": self.model.meta,
                "spans_key": self.spans_key}
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "ListSegmenter":
        d = json.loads(data.decode("utf-8"))
        self.model = BoundaryModel(weights=d["weights"], threshold=d.get("threshold", 0.5), meta=d.get("meta", {}))
        self.spans_key = d.get("spans_key", self.spans_key)
        return self


@Language.factory("kompass_list_segmenter", default_config={"weights": None, "spans_key": "items"})
def make_list_segmenter(nlp: Language, name: str, weights: str | None, spans_key: str) -> ListSegmenter:
    return ListSegmenter(nlp, name, weights=weights, spans_key=spans_key)
