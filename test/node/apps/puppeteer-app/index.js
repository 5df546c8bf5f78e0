const express = require('express')
const puppeteer = require('puppeteer')

const app = express()
app.get('/pdf', async (req, res) => {
  const browser = await puppeteer.launch({args: ['--no-sandbox']})
  const page = await browser.newPage()
  await page.goto(String(req.query.url))
  res.type('application/pdf').send(await page.pdf())
  await browser.close()
})
app.listen(Number(process.env.PORT ?? 3000))
