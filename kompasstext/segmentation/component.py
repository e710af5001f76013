"""The list segmenter as a spaCy component.

>>> import spacy
>>> import kompasstext.segmentation.component  # registers the factory
>>> nlp = spacy.blank("sv")
>>> _ = nlp.add_pipe("kompass_list_segmenter")
>>> doc = nlp("Tydlig vision Utveckla rutiner för uppföljning")
>>> [span.text for span in doc.spans["items"]]
['Tydlig vision', 'Utveckla rutiner för uppföljning']

The component marks each item's first token as a sentence start (so ``doc.sents`` are the items) and
stores the items in ``doc.spans["items"]`` with the boundary probability in ``span`` attributes.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .boundary import BoundaryModel, boundaries
from .features import NameEvidence


class ListSegmenter:
    def __init__(self, nlp: Language, name: str, weights: str | None = None, spans_key: str = "items"):
        self.name = name
        self.model = BoundaryModel.load(weights)
        self.spans_key = spans_key
        self.names = NameEvidence("")

    def set_context(self, text: str) -> None:
        """Give the whole report text as evidence of which capitalised words are names."""
        self.names = NameEvidence(text)

    def __call__(self, doc: Doc) -> Doc:
        cuts = set(boundaries(doc.text, model=self.model, names=self.names))
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
        return doc


@Language.factory("kompass_list_segmenter", default_config={"weights": None, "spans_key": "items"})
def make_list_segmenter(nlp: Language, name: str, weights: str | None, spans_key: str) -> ListSegmenter:
    return ListSegmenter(nlp, name, weights=weights, spans_key=spans_key)
