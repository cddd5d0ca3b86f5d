console.log('graphiti-server: not implemented yet');

export {};
