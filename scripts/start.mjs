console.log('npm start: not yet (the producer and dispatcher issues add it)');
