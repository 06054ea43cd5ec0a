// The image library's focal point: a click on the picture sets the two number fields
// (focal_x, focal_y), which stay the way to set it without a mouse.
"use strict"
{
  const connect = () => {
    const picker = document.querySelector("[data-focal-picker]")
    const fieldX = document.getElementById("id_focal_x")
    const fieldY = document.getElementById("id_focal_y")
    if (!picker || !fieldX || !fieldY) return
    const image = picker.querySelector("img")
    const marker = picker.querySelector(".focal-picker__marker")
    const show = () => {
      marker.style.left = `${Number(fieldX.value) * 100}%`
      marker.style.top = `${Number(fieldY.value) * 100}%`
    }
    const round = (value) => Math.min(1, Math.max(0, Math.round(value * 1000) / 1000))
    image.addEventListener("click", (event) => {
      const box = image.getBoundingClientRect()
      fieldX.value = round((event.clientX - box.left) / box.width)
      fieldY.value = round((event.clientY - box.top) / box.height)
      show()
    })
    fieldX.addEventListener("input", show)
    fieldY.addEventListener("input", show)
  }
  // The admin loads form media in <head>, before the picture exists.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect)
  } else {
    connect()
  }
}
