#!/usr/bin/env python3
"""Drives the control-room page in Debian's headless chromium (through Debian's
chromedriver and PyPI selenium), as an operator would: sign in with a token, see
a camera tile streaming, create a watchlist, enrol a face by upload, see the
alert arrive live, confirm it with a comment, open a case from it and add a
note, then create a plate deny-list and add a plate (a bad one refused first). Writes 1920x1080 screenshots of the live page and of the case.

usage: browser_check.py BASE_URL TOKEN PHOTO SUBJECT SCREENSHOT [DISPLAY_NAME]
Prints one line per step with its time; exits non-zero naming the step that failed.
"""
import os
import sys
import time

os.environ["SE_OFFLINE"] = "true"  # never let selenium-manager fetch a driver
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

base, token, photo, subject, screenshot = sys.argv[1:6]
display_name = sys.argv[6] if len(sys.argv) > 6 else "Lin-Manuel Miranda"
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1920,1080"]:
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
start = time.time()


def step(name, wait, condition):
    try:
        result = WebDriverWait(driver, wait, poll_frequency=0.2).until(condition)
    except Exception as error:  # noqa: BLE001 - report which step failed, with the page's errors
        errors = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".error") if e.text]
        driver.save_screenshot(screenshot)
        sys.exit(f"step failed: {name} ({type(error).__name__}); page errors: {errors}")
    print(f"{time.time() - start:6.1f} s  {name}", flush=True)
    return result


try:
    driver.get(base + "/")
    step("login form shown", 10, EC.visibility_of_element_located((By.ID, "token"))).send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#login-form button").click()
    step("signed in as operator", 10, EC.text_to_be_present_in_element((By.ID, "who"), "(operator)"))
    step("camera tile streaming", 30, EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".tile .state"), "streaming"))
    step("camera preview shows a frame", 20, lambda d: d.execute_script(
        "const i = document.querySelector('.tile img'); return i && i.complete && i.naturalWidth > 0"))

    driver.find_element(By.CSS_SELECTOR, "button[data-tab=watchlists]").click()
    form = step("watchlist editor", 10, EC.visibility_of_element_located((By.ID, "create-watchlist")))
    form.find_element(By.NAME, "name").send_keys("bad name")
    form.find_element(By.CSS_SELECTOR, "button").click()
    step("server's validation message shown", 10, EC.text_to_be_present_in_element((By.ID, "watchlist-error"), "invalid watchlist name"))
    name_field = form.find_element(By.NAME, "name")
    name_field.clear()
    name_field.send_keys("front-desk")
    form.find_element(By.CSS_SELECTOR, "button").click()
    step("watchlist created and opened", 10, EC.text_to_be_present_in_element((By.ID, "detail-title"), "front-desk"))
    enrol = driver.find_element(By.ID, "enrol")
    enrol.find_element(By.NAME, "subject").send_keys(subject)
    enrol.find_element(By.NAME, "display_name").send_keys(display_name)
    enrol.find_element(By.NAME, "image").send_keys(photo)
    enrol.find_element(By.CSS_SELECTOR, "button").click()
    step("face enrolled by upload", 60, EC.text_to_be_present_in_element((By.ID, "enrol-result"), "1 photo(s) enrolled"))

    driver.find_element(By.CSS_SELECTOR, "button[data-tab=live]").click()
    card = step("alert appeared live", 60, EC.visibility_of_element_located(
        (By.XPATH, f"//li[contains(@class,'alert')][.//strong[contains(., '({subject})')]]")))
    step("alert shows its evidence", 10, lambda d: "threshold 0.6" in card.find_element(By.CSS_SELECTOR, ".distance").text
         and d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", card.find_element(By.CSS_SELECTOR, "img.enrolled")))
    card.find_element(By.CSS_SELECTOR, ".comment").send_keys("seen at the desk, confirmed on camera")
    card.find_element(By.CSS_SELECTOR, ".confirm").click()
    step("alert confirmed", 10, lambda d: "confirmed by api:" in card.find_element(By.CSS_SELECTOR, ".review").text)

    # A case from the alert: its subject and evidence come with it; a note goes into its journal.
    card.find_element(By.CSS_SELECTOR, ".open-case").click()
    step("case opened from the alert", 10, EC.text_to_be_present_in_element((By.ID, "case-parties"), f"person {subject}"))
    step("case shows the alert's evidence", 10, lambda d: "distance" in d.find_element(By.ID, "case-alerts").text
         and d.execute_script("const i = document.querySelector('#case-alerts img'); return i && i.complete && i.naturalWidth > 0"))
    note = driver.find_element(By.CSS_SELECTOR, "#case-note textarea")
    note.send_keys("Seen at the front desk at the start of the show.")
    driver.find_element(By.CSS_SELECTOR, "#case-note button").click()
    step("note in the case journal", 10, EC.text_to_be_present_in_element((By.ID, "case-journal"), "start of the show"))
    step("journal chain intact", 10, EC.text_to_be_present_in_element((By.ID, "case-integrity"), "chain intact"))
    driver.find_element(By.CSS_SELECTOR, "#case-stats button").click()
    step("case statistics drawn", 10, lambda d: d.execute_script(
        "const i = document.getElementById('case-chart'); return i.complete && i.naturalWidth > 0"))
    driver.save_screenshot(screenshot.replace(".png", "-case.png"))

    # A plate deny-list: created in the page, a bad plate refused with the server's message, a plate added.
    driver.find_element(By.CSS_SELECTOR, "button[data-tab=watchlists]").click()
    form = step("watchlist editor again", 10, EC.visibility_of_element_located((By.ID, "create-watchlist")))
    Select(form.find_element(By.NAME, "kind")).select_by_value("plate")
    step("plate options shown", 5, lambda d: form.find_element(By.NAME, "mode").is_displayed())
    Select(form.find_element(By.NAME, "region")).select_by_value("br")
    form.find_element(By.NAME, "name").send_keys("stolen-cars")
    form.find_element(By.CSS_SELECTOR, "button").click()
    step("plate watchlist opened", 10, EC.text_to_be_present_in_element((By.ID, "detail-meta"), "deny-list of plates"))
    plate_form = step("plate form shown", 5, EC.visibility_of_element_located((By.ID, "add-plate")))
    plate_form.find_element(By.NAME, "plate").send_keys("AB-12345")
    plate_form.find_element(By.CSS_SELECTOR, "button").click()
    step("bad plate refused", 10, EC.text_to_be_present_in_element((By.ID, "plate-result"), "fits no br format"))
    field = plate_form.find_element(By.NAME, "plate")
    field.clear()
    field.send_keys("jrd-2238")
    plate_form.find_element(By.NAME, "label").send_keys("reported stolen")
    plate_form.find_element(By.CSS_SELECTOR, "button").click()
    step("plate listed", 10, EC.text_to_be_present_in_element((By.ID, "plates"), "JRD2238"))
    driver.find_element(By.CSS_SELECTOR, "button[data-tab=live]").click()
    time.sleep(1.5)  # the next preview frame, for the picture
    driver.save_screenshot(screenshot)
    print(f"{time.time() - start:6.1f} s  screenshot {screenshot}")
finally:
    driver.quit()
