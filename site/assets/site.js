/* Language toggle of the course site: English, 中文 or both.
 * The choice is stored in localStorage (shared by all pages); the first visit follows the browser's
 * language. Runs in <head>, so the right cells are hidden before the page is first painted.
 * Also the button that opens and folds the contents panel on a narrow screen (site.css hides it elsewhere). */
(function () {
  "use strict";
  var KEY = "gradient-checking-course.lang";
  var MODES = ["en", "zh", "both"];

  function storedMode() {
    try {
      var mode = window.localStorage.getItem(KEY);
      return MODES.indexOf(mode) >= 0 ? mode : null;
    } catch (error) {
      return null;
    }
  }

  function browserMode() {
    var languages = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "en"];
    return /^zh(-|$)/i.test(languages[0]) ? "zh" : "en";
  }

  function apply(mode) {
    var root = document.documentElement;
    root.setAttribute("data-lang", mode);
    root.setAttribute("lang", mode === "zh" ? "zh-Hans" : "en");
    var buttons = document.querySelectorAll(".lang-toggle button[data-mode]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-mode") === mode));
    }
  }

  function choose(mode) {
    try {
      window.localStorage.setItem(KEY, mode);
    } catch (error) {
      /* storage disabled: the choice lasts for this page only */
    }
    apply(mode);
  }

  apply(storedMode() || browserMode());
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll(".lang-toggle button[data-mode]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function (event) {
        choose(event.currentTarget.getAttribute("data-mode"));
      });
    }
    apply(document.documentElement.getAttribute("data-lang"));
    var toggle = document.querySelector(".toc-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        toggle.parentElement.classList.toggle("open", open);
      });
    }
  });
}());
