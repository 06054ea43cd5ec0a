// Accessible names for the admin's controls that Django and its libraries leave nameless,
// each taken from the label the page already shows for it:
//
// - the autocomplete boxes (Select2): the box and its search field are named by the field's
//   label, and a multiple box gets no "clear all" cross, which Select2 puts inside its <ul>
//   where only list items belong (each chosen item keeps its own cross);
// - the story body's editor (django-prose-editor): named by the body's label;
// - the date and time boxes of a date-time field: "Publish at: Date", "Publish at: Time";
// - a list's search box, whose label is only a magnifier picture (its alt text).
//
// Loaded on every admin page by templates/admin/base_site.html, deferred: it runs once the
// page is parsed and before Select2 starts (on DOM ready), and names what the libraries add
// later as it appears.
"use strict"
{
  const text = (element) => (element ? element.textContent.replace(/\s+/g, " ").trim() : "")

  const labelOf = (id) =>
    id ? document.querySelector(`label[for="${CSS.escape(id)}"]`) : null

  const labelId = (label) => {
    if (!label.id) {
      label.id = `${label.htmlFor}-label`
    }
    return label.id
  }

  for (const select of document.querySelectorAll("select.admin-autocomplete[multiple]")) {
    select.dataset.allowClear = "false"
  }

  const nameAutocompletes = () => {
    for (const select of document.querySelectorAll("select.admin-autocomplete")) {
      const container = select.nextElementSibling
      const label = labelOf(select.id)
      if (!label || !container || !container.classList.contains("select2")) {
        continue
      }
      const box = container.querySelector(".select2-selection")
      const shown = container.querySelector(".select2-selection__rendered[id]")
      if (box && shown && !select.multiple) {
        box.setAttribute("aria-labelledby", `${labelId(label)} ${shown.id}`)
        // Not a text box: the chosen value, which names the box above.
        shown.removeAttribute("role")
        shown.removeAttribute("aria-readonly")
      } else if (box) {
        box.setAttribute("aria-labelledby", labelId(label))
      }
      const search = container.querySelector(".select2-search__field")
      if (search) {
        search.setAttribute("aria-labelledby", labelId(label))
      }
    }
  }

  const nameEditors = () => {
    for (const editable of document.querySelectorAll(".prose-editor .ProseMirror")) {
      const source = editable.closest(".prose-editor").querySelector("textarea")
      const label = labelOf(source && source.id)
      if (label && !editable.hasAttribute("aria-labelledby")) {
        editable.setAttribute("aria-labelledby", labelId(label))
      }
    }
  }

  const nameDateTimes = () => {
    for (const input of document.querySelectorAll("p.datetime input")) {
      if (input.labels.length || input.hasAttribute("aria-label")) {
        continue
      }
      const row = input.closest(".flex-container")
      const field = text(row && row.querySelector(":scope > label"))
      const part = input.previousSibling && input.previousSibling.nodeType === Node.TEXT_NODE
        ? text(input.previousSibling)
        : ""
      const name = [field, part]
        .map((words) => words.replace(/:$/, ""))
        .filter(Boolean)
        .join(": ")
      if (name) {
        input.setAttribute("aria-label", name)
      }
    }
  }

  const nameSearch = () => {
    const search = document.getElementById("searchbar")
    const picture = labelOf("searchbar")?.querySelector("img[alt]")
    if (search && picture && picture.alt && !search.hasAttribute("aria-label")) {
      search.setAttribute("aria-label", picture.alt)
    }
  }

  const nameAll = () => {
    nameAutocompletes()
    nameEditors()
    nameDateTimes()
    nameSearch()
  }

  // Select2 and the editor build their parts after this runs, and again for inline rows
  // added later: name them as they appear (typing in the editor adds nothing that matches).
  const built = ".select2, .ProseMirror, p.datetime"
  let pending = false
  new MutationObserver((records) => {
    const relevant = records.some((record) =>
      [...record.addedNodes].some(
        (node) =>
          node.nodeType === Node.ELEMENT_NODE &&
          (node.matches(built) || node.querySelector(built)),
      ),
    )
    if (relevant && !pending) {
      pending = true
      requestAnimationFrame(() => {
        pending = false
        nameAll()
      })
    }
  }).observe(document.body, { childList: true, subtree: true })

  nameAll()
  document.addEventListener("DOMContentLoaded", nameAll)
  window.addEventListener("load", nameAll)
}
