/* cantine's few behaviours written in JavaScript, kept in this file because the
   Content-Security-Policy (script-src 'self') runs no inline script nor inline handler. */

// A <select data-autosubmit> sends its form when its value changes (the language, the
// canteen and the year pickers); without JavaScript a <noscript> button does it.
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-autosubmit]");
  if (field && field.form) {
    field.form.submit();
  }
});
