"""Reference renders for ChatTemplateTest, made with Python jinja2 configured exactly as Hugging Face
transformers renders chat templates (transformers/utils/chat_template_utils.py): an
ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks and loop controls, the globals
raise_exception and strftime_now, a tojson filter that keeps non-ASCII (json.dumps(ensure_ascii=False)),
and messages/tools/documents/add_generation_prompt plus the special tokens as variables.
Run: python3 make_expected.py  (jinja2 3.1.x) -> expected.json"""
import json
from datetime import datetime
from jinja2.exceptions import TemplateError
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return datetime.now().strftime(fmt)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = strftime_now

SPECIALS = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}
CHATS = {
    "system_user": [{"role": "system", "content": "  Talk like a pirate.  "},
                    {"role": "user", "content": "Hi there, how are you?"}],
    "user_only": [{"role": "user", "content": "What is the capital of France?"}],
    "multi_turn": [{"role": "system", "content": "Be terse."},
                   {"role": "user", "content": "Name a colour."},
                   {"role": "assistant", "content": " Red is one. "},
                   {"role": "user", "content": "Another one?\n"}],
    "alternating": [{"role": "user", "content": "Hello"},
                    {"role": "assistant", "content": "Hi! How can I help?"},
                    {"role": "user", "content": "Unicode: café 日本語 🙂"}],
    "stop_early": [{"role": "user", "content": "Hi one"}, {"role": "user", "content": "STOP here"},
                   {"role": "user", "content": "never shown"}],
    "reflect_open": [{"role": "user", "content": "? ? ?"},
                     {"role": "reflect", "content": "Sure, I've analyzed the assistant."},
                     {"role": "user", "content": "What is the assistant doing?"}],
}
TEMPLATES = ["llama-3.2", "mistral", "gemma-2", "qwen-2.5", "phi-3", "zephyr", "pyisms"]

expected = []
for name in TEMPLATES:
    template = env.from_string(open(name + ".jinja").read())
    for chat_name, messages in CHATS.items():
        for gen in (True, False):
            try:
                text = template.render(messages=messages, tools=None, documents=None, add_generation_prompt=gen,
                                       date_string="26 Jul 2024", **SPECIALS)
                expected.append({"template": name, "chat": chat_name, "add_generation_prompt": gen, "rendered": text})
            except TemplateError as e:
                expected.append({"template": name, "chat": chat_name, "add_generation_prompt": gen, "error": str(e)})

json.dump({"specials": SPECIALS, "chats": CHATS, "cases": expected}, open("expected.json", "w"), ensure_ascii=False, indent=1)
print(len(expected), "cases")
