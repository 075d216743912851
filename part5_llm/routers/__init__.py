"""The app's endpoints, one module per resource, each with an APIRouter."""
