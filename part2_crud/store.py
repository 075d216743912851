"""Prompts kept in process memory: simple, fast, and gone on restart."""

import threading
from dataclasses import dataclass, field

from .models import PromptCreate, PromptPublic, PromptUpdate


class NameTakenError(Exception):
    """Another prompt already has this name (compared case-insensitively)."""


def name_key(name: str) -> str:
    # casefold() is lower() for every script: "Straße" and "STRASSE" match.
    return name.casefold()


@dataclass
class PromptStore:
    prompts: dict[int, PromptPublic] = field(default_factory=dict)
    ids_by_name: dict[str, int] = field(default_factory=dict)
    last_id: int = 0
    # Plain `def` endpoints run in a thread pool, so two requests can touch the
    # store at once. One lock makes each operation all-or-nothing.
    lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, data: PromptCreate) -> PromptPublic:
        with self.lock:
            key = name_key(data.name)
            if key in self.ids_by_name:
                raise NameTakenError(data.name)
            self.last_id += 1  # never reused, even after a delete
            prompt = PromptPublic(id=self.last_id, **data.model_dump())
            self.prompts[prompt.id] = prompt
            self.ids_by_name[key] = prompt.id
            return prompt

    def list(self, offset: int, limit: int) -> list[PromptPublic]:
        with self.lock:
            # Ids only grow and dicts keep insertion order: this is id order.
            # A slice takes any bounds, even far past the end (islice would not).
            return list(self.prompts.values())[offset : offset + limit]

    def get(self, prompt_id: int) -> PromptPublic | None:
        with self.lock:
            return self.prompts.get(prompt_id)

    def update(self, prompt_id: int, changes: PromptUpdate) -> PromptPublic | None:
        with self.lock:
            prompt = self.prompts.get(prompt_id)
            if prompt is None:
                return None
            # exclude_unset: only the fields the client actually sent.
            updated = prompt.model_copy(update=changes.model_dump(exclude_unset=True))
            old_key, new_key = name_key(prompt.name), name_key(updated.name)
            if new_key != old_key:
                if new_key in self.ids_by_name:
                    raise NameTakenError(updated.name)
                del self.ids_by_name[old_key]
                self.ids_by_name[new_key] = prompt_id
            self.prompts[prompt_id] = updated
            return updated

    def delete(self, prompt_id: int) -> bool:
        with self.lock:
            prompt = self.prompts.pop(prompt_id, None)
            if prompt is None:
                return False
            del self.ids_by_name[name_key(prompt.name)]
            return True


store = PromptStore()


def get_store() -> PromptStore:
    """The dependency every endpoint uses; tests override it with a fresh store."""
    return store
