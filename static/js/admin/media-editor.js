// Newsroom's own extensions of the story body editor (django-prose-editor, Tiptap):
// figures and galleries from the image library, embeds, footnotes and pull quotes.
//
// What they write is exactly what articles/sanitizer.py keeps and articles/body.py draws:
//   <figure data-image="12" data-size="wide"></figure>
//   <figure data-gallery="12 13 14"></figure>
//   <figure data-embed="https://www.youtube.com/watch?v=…"></figure>
//   <span data-footnote="The note's text."></span>
//   <blockquote class="pull-quote">…</blockquote>
// Pictures are chosen in the library's own admin list, opened as Django's lookup popup.
import {
  crel,
  Extension,
  gettext,
  Node,
  updateAttrsDialog,
} from "django-prose-editor/editor"

const SIZES = ["column", "wide", "full"]

// "/admin/" or wherever the admin is mounted: the story form lives at
// <admin>/articles/article/….
const adminRoot = () => {
  const path = window.location.pathname
  const index = path.indexOf("articles/article/")
  return index === -1 ? "/admin/" : path.slice(0, index)
}

const idsFrom = (text) =>
  [...new Set((text || "").split(/[\s,]+/).filter((part) => /^[1-9][0-9]*$/.test(part)))]

// Django's admin calls window.opener.dismissRelatedLookupPopup(win, id) when a row of a
// popup list is chosen: it fills the element whose id is the popup's name, appending with a
// comma when the element is a many-to-many raw-id field.
const openLibrary = ({ input }) => {
  input.classList.add("vManyToManyRawIdAdminField")
  const url = `${adminRoot()}images/image/?_popup=1&_to_field=id`
  window.open(url, input.id, "width=1000,height=720,resizable=yes,scrollbars=yes")
}

const describe = (attrs) => {
  if (attrs.gallery) {
    return `${gettext("Gallery of library images")} ${idsFrom(attrs.gallery).join(", ")}`
  }
  if (attrs.image) {
    return `${gettext("Library image")} ${attrs.image} · ${attrs.size || "column"}`
  }
  return `${gettext("Embed")}: ${attrs.embed}`
}

// A paragraph after the figure takes the cursor: typing goes on below it instead of
// replacing the figure, which would stay selected.
const insertBlock = (editor, attrs) =>
  editor
    .chain()
    .focus()
    .insertContent([{ type: "newsroomMedia", attrs }, { type: "paragraph" }])
    .run()

const dataAttribute = (attribute, name) => ({
  default: null,
  parseHTML: (element) => element.getAttribute(attribute),
  renderHTML: (attrs) => (attrs[name] ? { [attribute]: attrs[name] } : {}),
})

const imageDialog = updateAttrsDialog(
  {
    images: {
      type: "string",
      title: gettext("Library images"),
      description: gettext(
        "One image number for a figure, several (12, 13, 14) for a gallery.",
      ),
      required: true,
      picker: { label: gettext("Choose from the library…"), handler: openLibrary },
    },
    size: { type: "string", title: gettext("Figure size"), enum: SIZES },
  },
  { title: gettext("Insert from the image library"), submitText: gettext("Insert") },
)

const embedDialog = updateAttrsDialog(
  {
    url: {
      type: "string",
      format: "url",
      title: gettext("Address of the video, chart or post"),
      description: gettext(
        "YouTube, Vimeo, X, Datawrapper, Flourish, SoundCloud or Instagram. Readers load it only when they click.",
      ),
      required: true,
    },
  },
  { title: gettext("Embed media"), submitText: gettext("Embed") },
)

export const NewsroomMedia = Node.create({
  name: "newsroomMedia",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addAttributes() {
    return {
      image: dataAttribute("data-image", "image"),
      gallery: dataAttribute("data-gallery", "gallery"),
      size: dataAttribute("data-size", "size"),
      embed: dataAttribute("data-embed", "embed"),
    }
  },

  parseHTML() {
    return [
      { tag: "figure[data-image]" },
      { tag: "figure[data-gallery]" },
      { tag: "figure[data-embed]" },
    ]
  },

  renderHTML({ HTMLAttributes }) {
    return ["figure", HTMLAttributes]
  },

  addNodeView() {
    return ({ node }) => {
      const dom = crel("figure", {
        className: "newsroom-media",
        textContent: describe(node.attrs),
      })
      return { dom }
    }
  },

  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "libraryImage",
      groups: "nodes",
      button: buttons.text(gettext("Image"), gettext("Image or gallery from the library")),
      command(editor) {
        imageDialog(editor, { images: "", size: "column" }).then((attrs) => {
          const ids = idsFrom(attrs?.images)
          if (!ids.length) return
          const node =
            ids.length > 1
              ? { gallery: ids.join(" ") }
              : { image: ids[0], size: SIZES.includes(attrs.size) ? attrs.size : "column" }
          insertBlock(editor, node)
        })
      },
    })
    menu.defineItem({
      name: "embed",
      groups: "nodes",
      button: buttons.text(gettext("Embed"), gettext("Embed a video, chart or post")),
      command(editor) {
        embedDialog(editor, { url: "" }).then((attrs) => {
          const url = attrs?.url?.trim()
          if (!url) return
          insertBlock(editor, { embed: url })
        })
      },
    })
  },
})

const footnoteDialog = updateAttrsDialog(
  {
    text: {
      type: "string",
      format: "textarea",
      title: gettext("Footnote"),
      description: gettext("Plain text; addresses become links. Numbered for readers."),
      required: true,
    },
  },
  { title: gettext("Footnote"), submitText: gettext("Save") },
)

export const Footnote = Node.create({
  name: "footnote",
  group: "inline",
  inline: true,
  atom: true,
  selectable: true,

  addAttributes() {
    return {
      text: {
        default: "",
        parseHTML: (element) => element.getAttribute("data-footnote") || "",
        renderHTML: (attrs) => ({ "data-footnote": attrs.text }),
      },
    }
  },

  parseHTML() {
    return [{ tag: "span[data-footnote]" }]
  },

  renderHTML({ HTMLAttributes }) {
    return ["span", HTMLAttributes]
  },

  addNodeView() {
    return ({ node }) => {
      const dom = crel("sup", {
        className: "newsroom-footnote",
        title: node.attrs.text,
        textContent: `[${gettext("note")}]`,
      })
      return { dom }
    }
  },

  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "footnote",
      groups: "nodes",
      button: buttons.text(gettext("Note"), gettext("Footnote")),
      command(editor) {
        footnoteDialog(editor, { text: "" }).then((attrs) => {
          const text = attrs?.text?.trim()
          if (!text) return
          editor.chain().focus().insertContent({ type: "footnote", attrs: { text } }).run()
        })
      },
    })
  },
})

const PULL_QUOTE = "pull-quote"

export const PullQuote = Extension.create({
  name: "pullQuote",

  addGlobalAttributes() {
    return [
      {
        types: ["blockquote"],
        attributes: {
          class: {
            default: null,
            parseHTML: (element) =>
              element.classList.contains(PULL_QUOTE) ? PULL_QUOTE : null,
            renderHTML: (attrs) => (attrs.class ? { class: attrs.class } : {}),
          },
        },
      },
    ]
  },

  addMenuItems({ buttons, menu }) {
    menu.defineItem({
      name: "pullQuote",
      groups: "nodes",
      button: buttons.text(gettext("Pull quote"), gettext("Set a quotation apart, large")),
      active: (editor) => editor.isActive("blockquote", { class: PULL_QUOTE }),
      command(editor) {
        if (editor.isActive("blockquote", { class: PULL_QUOTE })) {
          editor.chain().focus().updateAttributes("blockquote", { class: null }).run()
        } else if (editor.isActive("blockquote")) {
          editor.chain().focus().updateAttributes("blockquote", { class: PULL_QUOTE }).run()
        } else {
          editor.chain().focus().wrapIn("blockquote", { class: PULL_QUOTE }).run()
        }
      },
    })
  },
})
