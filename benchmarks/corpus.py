"""A deterministic archive of N generated documents of this genre, for every benchmark.

The seed documents' sentences are the templates. Each is segmented once with jieba's
part-of-speech tagger; a generated document strings templates together and swaps a share
of their content words for dictionary words of the same part of speech and length, drawn
by frequency (jieba's dictionary), so that the vocabulary keeps growing as real news does
(see shared/BENCHMARKS.md) instead of stopping at the seeds' own bigrams. Each document
gets another city (place names become it), date, source and length; a quarter of them
are written in Traditional characters.

    python benchmarks/corpus.py --documents 1000 --out /tmp/archive-1k

writes 00000.txt ... (a title line, a source and date line as news sites print them, the
text) and prints the growth of distinct
Han bigrams. Needs the `bench` extra (jieba): pip install -e ".[bench]".
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SENTENCE = re.compile(r"[^。！？；!?]+[。！？；!?]")
HAN = re.compile(r"[\u4e00-\u9fff]")
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
# Parts of speech whose words are swapped; place names become the document's city.
CONTENT = {"n", "nz", "vn", "v", "a", "ad", "an", "nr", "nt", "ns", "d", "i", "l", "j"}
SWAP_SHARE = 0.18
PLACE = {"ns"}
SOURCES = ("{city}日报", "{city}晚报", "{city}市人民政府网", "{city}新闻网", "河南日报", "大河网",
           "人民网", "新华网", "中国新闻网", "国际在线", "{province}日报", "光明网")  # fmt: skip
SEED = 20240118


@dataclass(frozen=True)
class Word:
    text: str
    pos: str


@dataclass(frozen=True)
class Generated:
    name: str  # file name
    text: str  # what the file holds


@lru_cache(maxsize=1)
def templates() -> tuple[tuple[tuple[Word, ...], ...], tuple[str, ...]]:
    """Return the seed sentences, segmented and tagged, and the seed titles."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    from sitegen.chinese import to_simplified

    places = place_names()
    sentences: list[tuple[Word, ...]] = []
    titles: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = to_simplified(path.read_text(encoding="utf-8"))
        for line in text.splitlines():
            line = line.strip()
            if 10 <= len(line) <= 40 and not SENTENCE.search(line) and len(HAN.findall(line)) > 8:
                titles.append(line)
            for match in SENTENCE.finditer(line):
                sentence = match.group().strip()
                if len(HAN.findall(sentence)) >= 8 and "?" not in sentence:
                    sentences.append(
                        tuple(
                            Word(w.word, "ns" if w.word in places else w.flag)
                            for w in jieba.posseg.cut(sentence)
                        )
                    )
    return tuple(sentences), tuple(dict.fromkeys(titles))


@lru_cache(maxsize=1)
def dictionary() -> dict[tuple[str, int], tuple[list[str], list[float]]]:
    """Return jieba's words by (part of speech, length): words and cumulative weights."""
    import jieba

    pools: dict[tuple[str, int], list[tuple[str, int]]] = {}
    path = Path(jieba.__file__).parent / "dict.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        word, freq, pos = line.split(" ")
        if all(HAN.fullmatch(ch) for ch in word):
            pools.setdefault((pos, len(word)), []).append((word, int(freq)))
    out = {}
    for key, words in pools.items():
        words.sort()
        out[key] = ([w for w, _ in words], list(itertools.accumulate(f for _, f in words)))
    return out


def draw(rng: random.Random, pool: tuple[list[str], list[float]]) -> str:
    words, cumulative = pool
    return words[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


@lru_cache(maxsize=1)
def cities() -> tuple[tuple[str, str], ...]:
    """Return (short name, province) of the gazetteer's prefecture-level cities.

    Cities whose pinyin another row shares (吉林 and 吉林省, 泰州 and 台州) are left out:
    the site's city pages cannot yet tell them apart.
    """
    from collections import Counter

    from sitegen.ingest.gazetteer import load_gazetteer

    rows = load_gazetteer().cities
    pinyin = Counter(c.pinyin for c in rows)
    return tuple(
        (c.name, c.province.removesuffix("省"))
        for c in rows
        if c.level == "prefecture" and len(c.name) >= 2 and pinyin[c.pinyin] == 1
    )


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Every city's name with and without its suffix (许昌, 许昌市): a place to swap."""
    from sitegen.ingest.gazetteer import load_gazetteer

    rows = [c for c in load_gazetteer().cities if c.level != "province" and len(c.name) >= 2]
    return frozenset([c.name for c in rows] + [c.full_name for c in rows])


@lru_cache(maxsize=1)
def to_traditional() -> dict[str, str]:
    from sitegen.chinese import s2t_characters

    return s2t_characters().entries


def sentence(rng: random.Random, words: tuple[Word, ...], city: str) -> str:
    pools = dictionary()
    out = []
    for word in words:
        if word.pos in PLACE and len(word.text) >= 2:
            place = city if rng.random() < 0.7 else rng.choice(cities())[0]
            out.append(place + "市" if word.text.endswith("市") else place)
            continue
        pool = pools.get((word.pos, len(word.text)))
        if word.pos in CONTENT and pool and rng.random() < SWAP_SHARE:
            out.append(draw(rng, pool))
        else:
            out.append(word.text)
    return "".join(out)


def document(number: int, seed: int = SEED) -> Generated:
    """Return generated document `number`: the same for the same number and seed."""
    rng = random.Random(f"{seed}/{number}")
    sentences, titles = templates()
    city, province = rng.choice(cities())
    target = max(400, int(rng.lognormvariate(7.9, 0.45)))  # about 3,000 characters
    paragraphs, size = [], 0
    while size < target:
        paragraph = "".join(
            sentence(rng, rng.choice(sentences), city) for _ in range(rng.randint(2, 5))
        )
        paragraphs.append(paragraph)
        size += len(paragraph)
    title = rng.choice(titles) if rng.random() < 0.2 else _title(rng, sentences, city)
    source = rng.choice(SOURCES).format(city=city, province=province)
    date = f"{rng.randint(2012, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    body = "\n\n".join(paragraphs)
    traditional = rng.random() < 0.25
    if traditional:
        table = to_traditional()
        title, body, source = ("".join(table.get(c, c) for c in t) for t in (title, body, source))
    label = "來源" if traditional else "来源"
    time_of_day = f"{rng.randint(7, 21):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
    header = f"{title}\n{label}:{source}  |  {date} {time_of_day}\n\n"
    return Generated(f"{number:05d}.txt", header + body + "\n")


def _title(rng: random.Random, sentences, city: str) -> str:
    words = rng.choice(sentences)
    text = re.split(r"[，,。！？；：:、“”\"（）()]", sentence(rng, words, city))[0]
    text = text[:30]
    if len(text) < 10:
        text = (city + text + "工作取得新进展")[:30]
    return text


def generate(count: int, seed: int = SEED) -> Iterator[Generated]:
    for number in range(count):
        yield document(number, seed)


def write(count: int, out: Path, seed: int = SEED) -> list[str]:
    """Write `count` documents into `out` (which must be empty or missing); return texts."""
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise SystemExit(f"{out} is not empty")
    texts = []
    for doc in generate(count, seed):
        (out / doc.name).write_text(doc.text, encoding="utf-8")
        texts.append(doc.text)
    return texts


def growth(texts: list[str]) -> list[tuple[int, int]]:
    """Return (bigram tokens read, distinct bigrams seen) at the points BENCHMARKS.md names."""
    from sitegen.chinese import to_simplified

    marks = [10_000, 30_000, 59_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000,
             30_000_000]  # fmt: skip
    seen: set[str] = set()
    tokens = 0
    points = []
    for text in texts:
        for run in HAN_RUN.findall(to_simplified(text)):
            for i in range(len(run) - 1):
                seen.add(run[i : i + 2])
                tokens += 1
                if marks and tokens == marks[0]:
                    points.append((tokens, len(seen)))
                    marks.pop(0)
    points.append((tokens, len(seen)))
    return points


def print_growth(texts: list[str], file=sys.stdout) -> None:
    print("distinct Han bigrams (real news: 5,000 @ 10k, 11,000 @ 30k, 19,700 @ 59k):", file=file)
    for tokens, distinct in growth(texts):
        print(f"  {tokens:>12,} bigram tokens  {distinct:>10,} distinct", file=file)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    texts = write(args.documents, args.out, args.seed)
    print(f"wrote {len(texts)} documents to {args.out}")
    print_growth(texts)


if __name__ == "__main__":
    main()
