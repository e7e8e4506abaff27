import { initAll } from '../nhsuk/nhsuk-frontend.min.js'

// NHS.UK frontend only starts its components (error summary focus, password show and hide) on a
// body marked as supported. Its templates do this with an inline script, which our CSP forbids;
// a module script runs only in the browsers that class stands for.
document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')

initAll()
