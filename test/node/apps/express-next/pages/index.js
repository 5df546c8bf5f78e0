export default function Home() {
  return <main><h1>Hello from Next.js on Heroku</h1></main>
}
