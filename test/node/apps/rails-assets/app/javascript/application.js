document.addEventListener('DOMContentLoaded', () => console.log('hello'))
