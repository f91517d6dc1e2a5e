"""Finds the forms of a page (action, method, enctype, fields with their kind
and options), for the property-based tests that fill them with arbitrary input."""
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


@dataclass
class Form:
    action: str
    method: str
    multipart: bool
    fields: dict = field(default_factory=dict)  # name -> ("text" | "file" | "checkbox" | "select", options)


class _Parser(HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url, self.forms, self.form, self.select = page_url, [], None, None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urlsplit(urljoin(self.page_url, a.get("action") or self.page_url))
            self.form = Form(action=action.path + ("?" + action.query if action.query else ""),
                             method=(a.get("method") or "get").lower(),
                             multipart="multipart" in a.get("enctype", ""))
            self.forms.append(self.form)
        elif self.form is not None and a.get("name") and a.get("name") != "csrf_token":
            if tag == "input":
                kind = a.get("type", "text").lower()
                if kind in ("submit", "button", "image", "reset"):
                    return
                kind = {"file": "file", "checkbox": "checkbox", "radio": "checkbox"}.get(kind, "text")
                self.form.fields[a["name"]] = (kind, [])
            elif tag == "textarea":
                self.form.fields[a["name"]] = ("text", [])
            elif tag == "select":
                self.select = a["name"]
                self.form.fields[a["name"]] = ("select", [])
        if tag == "option" and self.form is not None and self.select:
            self.form.fields[self.select][1].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def forms_of(html, page_url):
    p = _Parser(page_url)
    p.feed(html)
    p.close()
    return p.forms
