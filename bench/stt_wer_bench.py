"""Word error rate of the embedded STT models, with and without the interview's vocabulary prompt.

    flock /work/heavy.lock .venv/bin/python bench/stt_wer_bench.py

Interview answers that name the candidate, employers, schools and tools are spoken by three
voices (piper joe at speed 1.0 and 1.3, espeak-ng en-gb), so no single voice is tuned to.
Each clip is transcribed by Whisper tiny.en and Whisper base (localmodels' SpeechToText, in
process, int8, 2 threads, the server's settings), each without a prompt and with the prompt the
worker builds (agents/worker/vocabulary.py ``transcription_prompt``, loaded from its file because
the ``agents.worker`` package sets Django up). Reports corpus WER (word edits over reference
words, after lower-casing and dropping punctuation), the share of the vocabulary's words in the
answers that are heard right, seconds per clip and real-time factor (transcription seconds /
audio seconds). Also German and Spanish espeak-ng clips for base (tiny.en is English only).
Writes bench/results/stt_wer.json and .md, with the load average before and after.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from localmodels.assets import piper_voice_files  # noqa: E402
from localmodels.stt import SpeechToText  # noqa: E402

RESULTS = ROOT / "bench" / "results"
MODELS = ("whisper-tiny.en", "whisper-base")
VOICES = ("piper-1.0", "piper-1.3", "espeak-en-gb")

# Numbers are written out nowhere: Whisper writes "5" for "five", which is no recognition error.
INTERVIEWS = [
    {
        "brief": {
            "candidate_name": "Siobhan Okonkwo",
            "role_title": "Platform Engineer",
            "job_description": "You will run Kubernetes clusters with Terraform and ArgoCD.",
            "resume": {
                "work": [{"name": "Zalando", "position": "Site Reliability Engineer"}],
                "education": [{"institution": "Trinity College Dublin", "area": "Physics"}],
                "skills": [{"name": "Kubernetes", "keywords": ["Helm", "Prometheus"]}],
            },
        },
        "answers": [
            "My name is Siobhan Okonkwo and I worked at Zalando on the Kubernetes platform.",
            "We packaged every service with Helm and watched them with Prometheus.",
            "I studied physics at Trinity College Dublin before I moved into operations.",
        ],
    },
    {
        "brief": {
            "candidate_name": "Rajesh Venkataraman",
            "role_title": "Backend Developer",
            "job_description": "Our stack is Django, PostgreSQL and Celery on AWS.",
            "resume": {
                "work": [{"name": "Deliveroo", "position": "Software Engineer"}],
                "skills": [{"name": "Python", "keywords": ["Django", "Celery", "Redis"]}],
            },
        },
        "answers": [
            "At Deliveroo I moved our order service from Heroku to AWS.",
            "I use Django with PostgreSQL, and Celery with Redis for the background jobs.",
            "Rajesh Venkataraman is my full name, but everyone calls me Raj.",
        ],
    },
    {
        "brief": {
            "candidate_name": "Maëlle Dubois",
            "role_title": "Data Analyst",
            "job_description": "You will build dashboards in Looker on top of dbt and Snowflake.",
            "resume": {
                "work": [{"name": "Xero", "position": "Analyst"}, {"name": "Criteo"}],
                "skills": [{"name": "SQL", "keywords": ["dbt", "Snowflake", "Looker"]}],
            },
        },
        "answers": [
            "I spent two years at Xero building dashboards with Looker and dbt.",
            "Before that I was at Criteo, where we kept our data in Snowflake.",
            "Most of my work is SQL, with a little Python for the harder cleaning.",
        ],
    },
    {
        "brief": {
            "candidate_name": "Tomasz Wójcik",
            "role_title": "Mobile Developer",
            "job_description": "We ship our apps with Kotlin, SwiftUI and Firebase.",
            "resume": {
                "work": [{"name": "Allegro", "position": "Android Developer"}],
                "skills": [{"name": "Kotlin", "keywords": ["Jetpack Compose", "Firebase"]}],
            },
        },
        "answers": [
            "At Allegro I rewrote the checkout screens in Jetpack Compose.",
            "I have shipped Kotlin and SwiftUI apps, and we used Firebase for crash reports.",
            "Tomasz Wójcik, I am applying for the mobile developer role.",
        ],
    },
]
FOREIGN = [
    ("de", "In meinem letzten Projekt habe ich mit einem kleinen Team zusammengearbeitet."),
    ("de", "Ich habe fünf Jahre bei Siemens in München als Softwareentwickler gearbeitet."),
    ("de", "Guten Morgen, ich freue mich sehr auf das Gespräch mit Ihnen."),
    ("es", "Trabajé tres años en Madrid como ingeniera de datos en una empresa de energía."),
    ("es", "Me gusta trabajar en equipo y aprender nuevas tecnologías cada día."),
]


def transcription_prompt(brief: dict) -> str:
    path = ROOT / "agents" / "worker" / "vocabulary.py"
    spec = importlib.util.spec_from_file_location("vocabulary", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.transcription_prompt(SimpleNamespace(**brief))


def words(text: str) -> list[str]:
    text = text.lower().replace("-", " ")
    return re.findall(r"[\w']+", text)


def edit_distance(ref: list[str], hyp: list[str]) -> int:
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def vocabulary_words(brief: dict, answer: str) -> list[str]:
    """The answer's words that the prompt spells out: the candidate's name and the terms list."""
    _, _, term_list = transcription_prompt(brief).partition(". ")
    vocabulary = set(words(brief["candidate_name"])) | set(words(term_list))
    return [w for w in words(answer) if w in vocabulary]


def wav_bytes(samples: bytes, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples)
    return buf.getvalue()


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as w:
        return w.getnframes() / w.getframerate()


def synthesise(texts: list[str]) -> dict[tuple[str, str], bytes]:
    from piper import PiperVoice, SynthesisConfig

    onnx, config = piper_voice_files()
    voice = PiperVoice.load(onnx, config_path=config)
    clips = {}
    for text in texts:
        for speed in (1.0, 1.3):
            cfg = SynthesisConfig(length_scale=voice.config.length_scale / speed)
            pcm = b"".join(c.audio_int16_bytes for c in voice.synthesize(text, cfg))
            clips[(text, f"piper-{speed}")] = wav_bytes(pcm, voice.config.sample_rate)
        clips[(text, "espeak-en-gb")] = espeak(text, "en-gb")
    return clips


def espeak(text: str, voice: str) -> bytes:
    exe = shutil.which("espeak-ng")
    if not exe:
        sys.exit("espeak-ng is needed (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "clip.wav"
        subprocess.run([exe, "-v", voice, "-w", str(path), text], check=True)
        return path.read_bytes()


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().strip()


def run() -> dict:
    load_before = loadavg()
    items = [
        (interview["brief"], answer) for interview in INTERVIEWS for answer in interview["answers"]
    ]
    clips = synthesise([answer for _, answer in items])
    stt = SpeechToText(threads=2, workers=1, beam_size=1)
    for name in MODELS:
        started = time.perf_counter()
        stt.model_for(name)
        print(f"loaded {name} in {time.perf_counter() - started:.2f}s", flush=True)
        stt.transcribe_bytes(next(iter(clips.values())), model=name, language="en")  # warm-up
    rows = []
    for brief, answer in items:
        prompt = transcription_prompt(brief)
        terms = vocabulary_words(brief, answer)
        for voice in VOICES:
            audio = clips[(answer, voice)]
            seconds = wav_seconds(audio)
            for name in MODELS:
                for prompted in (False, True):
                    started = time.perf_counter()
                    text = stt.transcribe_bytes(
                        audio, model=name, language="en", prompt=prompt if prompted else None
                    )["text"]
                    elapsed = time.perf_counter() - started
                    heard = words(text)
                    rows.append(
                        {
                            "model": name,
                            "prompt": prompted,
                            "voice": voice,
                            "reference": answer,
                            "heard": text,
                            "ref_words": len(words(answer)),
                            "edits": edit_distance(words(answer), heard),
                            "terms": len(terms),
                            "terms_heard": sum(t in heard for t in terms),
                            "audio_s": round(seconds, 3),
                            "transcribe_s": round(elapsed, 3),
                        }
                    )
            print(f"{voice:13s} {answer[:60]}", flush=True)
    foreign = []
    for lang, sentence in FOREIGN:
        audio = espeak(sentence, lang)
        started = time.perf_counter()
        text = stt.transcribe_bytes(audio, model="whisper-base", language=lang)["text"]
        elapsed = time.perf_counter() - started
        foreign.append(
            {
                "language": lang,
                "reference": sentence,
                "heard": text,
                "ref_words": len(words(sentence)),
                "edits": edit_distance(words(sentence), words(text)),
                "audio_s": round(wav_seconds(audio), 3),
                "transcribe_s": round(elapsed, 3),
            }
        )
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
        },
        "settings": {"threads": 2, "beam_size": 1, "compute_type": "int8", "vad_filter": True},
        "load_before": load_before,
        "load_after": loadavg(),
        "clips": len(clips),
        "summary": summarise(rows),
        "foreign_base": {
            "wer": round(
                sum(r["edits"] for r in foreign) / sum(r["ref_words"] for r in foreign), 3
            ),
            "rows": foreign,
        },
        "rows": rows,
    }


def summarise(rows: list[dict]) -> list[dict]:
    out = []
    for name in MODELS:
        for prompted in (False, True):
            for voice in (None, *VOICES):
                sel = [
                    r
                    for r in rows
                    if r["model"] == name
                    and r["prompt"] == prompted
                    and (voice is None or r["voice"] == voice)
                ]
                times = [r["transcribe_s"] for r in sel]
                out.append(
                    {
                        "model": name,
                        "prompt": prompted,
                        "voice": voice or "all",
                        "clips": len(sel),
                        "wer": round(
                            sum(r["edits"] for r in sel) / sum(r["ref_words"] for r in sel), 3
                        ),
                        "terms_heard": round(
                            sum(r["terms_heard"] for r in sel)
                            / max(1, sum(r["terms"] for r in sel)),
                            3,
                        ),
                        "s_per_clip_mean": round(statistics.mean(times), 3),
                        "s_per_clip_p90": round(sorted(times)[int(0.9 * (len(times) - 1))], 3),
                        "rtf": round(sum(times) / sum(r["audio_s"] for r in sel), 3),
                    }
                )
    return out


def markdown(result: dict) -> str:
    lines = [
        "# Embedded STT: word error rate with and without the vocabulary prompt",
        "",
        "`flock /work/heavy.lock .venv/bin/python bench/stt_wer_bench.py` "
        f"({result['clips']} clips: {len(INTERVIEWS)} candidates' answers x {len(VOICES)} voices; "
        f"{result['machine']['cpus']} CPUs, int8, 2 threads, beam 1).",
        "",
        f"Load average before: `{result['load_before']}`, after: `{result['load_after']}`.",
        "",
        "WER = word edits / reference words over all clips; terms heard = share of the answers' "
        "names and tools (words of the prompt) heard right; RTF = transcription s / audio s.",
        "",
        "| model | prompt | voice | clips | WER | terms heard | s/clip mean | s/clip p90 | RTF |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in result["summary"]:
        lines.append(
            f"| {s['model']} | {'yes' if s['prompt'] else 'no'} | {s['voice']} | {s['clips']} "
            f"| {s['wer']:.3f} | {s['terms_heard']:.2f} | {s['s_per_clip_mean']:.2f} "
            f"| {s['s_per_clip_p90']:.2f} | {s['rtf']:.3f} |"
        )
    foreign = result["foreign_base"]
    lines += [
        "",
        f"whisper-base on espeak-ng German/Spanish (language given): WER {foreign['wer']:.3f}",
        "",
        "| lang | said | heard | s | audio s |",
        "|---|---|---|---|---|",
    ]
    for r in foreign["rows"]:
        lines.append(
            f"| {r['language']} | {r['reference']} | {r['heard']} | {r['transcribe_s']:.2f} "
            f"| {r['audio_s']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    result = run()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "stt_wer.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    md = markdown(result)
    (RESULTS / "stt_wer.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
