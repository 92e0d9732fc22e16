def test_inline_script_is_caught(page):
    page.goto("/login/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.x=1'; document.body.appendChild(s); }")
    page.wait_for_timeout(200)

def test_js_error_is_caught(page):
    page.goto("/login/")
    page.evaluate("() => setTimeout(() => { throw new Error('boom') }, 0)")
    page.wait_for_timeout(200)
